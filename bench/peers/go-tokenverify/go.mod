module tokenverify.dev/bench/peers/go-tokenverify

go 1.24

require tokenverify/bindings/go v0.0.0

replace tokenverify/bindings/go => ../../../bindings/go
