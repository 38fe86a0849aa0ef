module example.com/greetd

go 1.22
