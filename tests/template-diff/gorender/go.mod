module confinit/tests/template-diff/gorender

go 1.19
