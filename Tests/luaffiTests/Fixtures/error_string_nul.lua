-- an error message with an embedded NUL
error("before\0after")
