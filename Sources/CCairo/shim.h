// cairo's C API, found through pkg-config (cairo): its flags name the folder that
// holds cairo.h (/usr/include/cairo on Debian, Homebrew's Cellar on macOS). bpgraph
// draws its raster device into cairo image surfaces and encodes them (CGraphviz's raster.h).
#ifndef BPGRAPH_CCAIRO_SHIM_H
#define BPGRAPH_CCAIRO_SHIM_H
#include <cairo.h>
#endif
