module kprod.dev/kprod

go 1.19
