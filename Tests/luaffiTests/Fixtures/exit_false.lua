-- os.exit(false) exits with EXIT_FAILURE
io.stderr:write("failing\n")
os.exit(false)
