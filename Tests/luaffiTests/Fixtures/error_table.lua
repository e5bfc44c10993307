-- an error whose value is a table without __tostring
error({code = 1})
