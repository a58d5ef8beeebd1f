module tokenverify/bindings/go

go 1.24
