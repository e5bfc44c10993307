-- closing the state at exit: finalizers run, pending output is flushed
setmetatable({}, {__gc = function() print("finalizer ran") end})
io.write("buffered ")
