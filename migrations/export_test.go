package migrations

// SchemaLockID lets the external tests take the lock a migration of a schema would wait on.
var SchemaLockID = schemaLockID
