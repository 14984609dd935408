package model

import "time"

// InstanceSettingFirstAdmin is the key recorded, holding the account id, when the first instance
// admin is created; its primary key lets only one of two racing start-ups create one.
const InstanceSettingFirstAdmin = "first_admin"

// InstanceSetting is an instance-wide fact kept as a key and a value.
type InstanceSetting struct {
	Key       string `gorm:"primaryKey"`
	Value     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName pins the table name so renaming the struct never renames the table.
func (InstanceSetting) TableName() string { return "instance_settings" }
