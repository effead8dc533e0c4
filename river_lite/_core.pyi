# Stub of the Rust extension (rust_src/bindings/mod.rs).
from typing import Any

def build_info() -> dict[str, Any]: ...

# Capsule holding the stats engines' C function table (rust_src/bindings/stats_api.rs),
# consumed by the Cython module stats/_order.pyx.
stats_api: Any
