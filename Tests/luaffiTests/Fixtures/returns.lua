-- a chunk that returns values: lua5.4 discards them
print("returning")
return 1, "two", nil
