// Shim for the system header; only KairosLinalg imports this module.
#include <cblas.h>
