-- warn with and without -W, control messages, multi-part warnings
warn("first warning")
warn("@on")
warn("second ", "warning")
warn("@off")
warn("third warning")
warn("@on")
warn("fourth")
print("done")
