-- os.exit with a number, after buffered output
io.write("before exit\n")
os.exit(3)
