module tokenverify.dev/examples/go

go 1.24

require tokenverify/bindings/go v0.0.0

replace tokenverify/bindings/go => ../../bindings/go
