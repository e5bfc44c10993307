-- io.write with no final newline
io.write("no newline", " ", 42)
