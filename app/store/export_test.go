package store

// ClassifyForTest exposes classify to the tests of this package.
var ClassifyForTest = classify
