-- os.exit(true) exits with EXIT_SUCCESS
print("exiting")
os.exit(true)
