-- an error message with bytes that are not UTF-8
error("bad byte: \255\254 end")
