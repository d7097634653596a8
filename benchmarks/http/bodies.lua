-- wrk script: POST the request bodies of a load file (one JSON body per line) in turn.
-- The file path comes from the environment variable BENCH_BODIES. Each wrk thread
-- starts at a different offset, so concurrent connections send different bodies.

local path = os.getenv("BENCH_BODIES")
local requests = {}
local index = 1
local thread_count = 0

function setup(thread)
   thread:set("thread_number", thread_count)
   thread_count = thread_count + 1
end

function init(args)
   local headers = { ["Content-Type"] = "application/json" }
   for line in io.lines(path) do
      if #line > 0 then
         requests[#requests + 1] = wrk.format("POST", "/calculation-requests", headers, line)
      end
   end
   if #requests == 0 then
      error("no request bodies in " .. path)
   end
   index = ((thread_number or 0) * 7919) % #requests + 1
end

function request()
   local text = requests[index]
   index = index + 1
   if index > #requests then
      index = 1
   end
   return text
end
