# Included by every Cython module: reports how that module was compiled, for
# `python -m <package> info`. setup.py defines the version macros from the build environment.
cdef extern from *:
    """
    #if defined(__OPTIMIZE__) || (defined(_MSC_VER) && defined(NDEBUG))
    #define NATIVE_OPTIMIZED 1
    #else
    #define NATIVE_OPTIMIZED 0
    #endif
    #ifndef NATIVE_CYTHON_VERSION
    #define NATIVE_CYTHON_VERSION "unknown"
    #endif
    #ifndef NATIVE_NUMPY_VERSION
    #define NATIVE_NUMPY_VERSION "unknown"
    #endif
    """
    int NATIVE_OPTIMIZED
    const char* NATIVE_CYTHON_VERSION
    const char* NATIVE_NUMPY_VERSION


def build_info():
    """How this extension was compiled."""
    return {
        "language": "Cython",
        "optimized": bool(NATIVE_OPTIMIZED),
        "cython": NATIVE_CYTHON_VERSION.decode(),
        "numpy": NATIVE_NUMPY_VERSION.decode(),
    }
