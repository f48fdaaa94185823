"""Child process of the bounded-memory test: run an inlined handler once, report peak RSS.

Usage: python run_handler.py INDEX_DIR EVENT_JSON. Prints one JSON line with the handler's
response and the process's peak resident set size in KiB: VmHWM of /proc/self/status, which
belongs to this process's own address space (ru_maxrss would carry the forking parent's peak
across exec).
"""

import json
import re
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, sys.argv[1])
    import index  # the code as inlined in the template's Code.ZipFile

    response = index.handler(json.loads(sys.argv[2]), None)
    status = Path("/proc/self/status").read_text()
    peak = int(re.search(r"VmHWM:\s+(\d+) kB", status)[1])
    print(json.dumps({"response": response, "peak_rss_kib": peak}))
