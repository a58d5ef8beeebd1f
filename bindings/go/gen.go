package tokenverify

// status_gen.go comes from the engine's status table; test.sh checks it is current.
//go:generate go run ./internal/statusgen -in ../../core/include/tokenverify/status.def -out status_gen.go
