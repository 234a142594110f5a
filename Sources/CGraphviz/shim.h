// The C boundary of bpgraph: Graphviz's public headers (found through pkg-config
// libgvc) plus small accessors for the struct fields that Graphviz only exposes
// through function-like macros, which Swift does not import. Only BPGraphRender
// imports this module.
#ifndef BPGRAPH_CGRAPHVIZ_SHIM_H
#define BPGRAPH_CGRAPHVIZ_SHIM_H

#include <graphviz/gvc.h>
#include <graphviz/cgraph.h>
#include <graphviz/types.h>
#include <graphviz/graphviz_version.h>
#include <stdbool.h>
#include <stdlib.h>
#include <dlfcn.h>
#include "raster.h"
#include "reader.h"

// Graphviz 2.42 (Debian 12, Ubuntu 22.04/24.04) has no version macros and spells its
// truth type `boolean` (unsigned char); later releases (the ones that define
// GRAPHVIZ_VERSION_MAJOR: Homebrew's 12-14, Fedora, Arch) use C's `bool` in the same
// struct fields (splineInfo's callbacks and flags).
#ifdef GRAPHVIZ_VERSION_MAJOR
typedef bool bp_truth;
#else
typedef boolean bp_truth;
#endif

// Exported by libgvc / libcgraph but declared in no installed header. All five are
// exported (nm -D) by 2.42's libgvc.so.6 / libcgraph.so.6, and are used the same way
// by Graphviz's own plugins; they are internals, not API, so a release that stops
// exporting one fails at link time here rather than at run time. CI builds against
// 2.42 only (see the README); on newer Graphviz check with
// `nm -D $(pkg-config --variable=libdir libgvc)/libgvc.* | grep -w make_label`.
extern textlabel_t *make_label(void *obj, char *str, int kind, double fontsize, char *fontname, char *fontcolor);
extern void free_label(textlabel_t *label);
extern void gv_free_splines(edge_t *e);
extern void clip_and_install(edge_t *fe, node_t *hn, pointf *ps, int pn, splineInfo *info);
extern void aglexbad(void);

// --- graphs
static inline boxf bp_graph_bb(graph_t *g) { return GD_bb(g); }
static inline void bp_graph_set_bb(graph_t *g, boxf bb) { GD_bb(g) = bb; }
static inline textlabel_t *bp_graph_label(graph_t *g) { return GD_label(g); }
static inline int bp_graph_label_pos(graph_t *g) { return GD_label_pos(g); }
static inline int bp_graph_cluster_count(graph_t *g) { return GD_n_cluster(g); }
/// Clusters are numbered from 1 in Graphviz.
static inline graph_t *bp_graph_cluster(graph_t *g, int i) { return GD_clust(g)[i]; }

// --- nodes
static inline pointf bp_node_coord(node_t *n) { return ND_coord(n); }
static inline void bp_node_set_coord(node_t *n, pointf p) { ND_coord(n) = p; }
/// Width and height in points.
static inline double bp_node_width(node_t *n) { return ND_width(n) * 72.0; }
static inline double bp_node_height(node_t *n) { return ND_height(n) * 72.0; }
static inline textlabel_t *bp_node_label(node_t *n) { return ND_label(n); }
static inline void bp_node_set_label(node_t *n, textlabel_t *l) { ND_label(n) = l; }

// --- edges
static inline node_t *bp_edge_tail(edge_t *e) { return agtail(e); }
static inline node_t *bp_edge_head(edge_t *e) { return aghead(e); }
static inline textlabel_t *bp_edge_label(edge_t *e) { return ED_label(e); }
static inline void bp_edge_set_label(edge_t *e, textlabel_t *l) { ED_label(e) = l; }
static inline textlabel_t *bp_edge_head_label(edge_t *e) { return ED_head_label(e); }
static inline void bp_edge_set_head_label(edge_t *e, textlabel_t *l) { ED_head_label(e) = l; }
static inline splines *bp_edge_splines(edge_t *e) { return ED_spl(e); }

/// Replaces the edge's spline with the cubic Bézier through `points` (3k+1 control
/// points), clipped to both nodes' shapes and with the edge's own arrowheads.
static bp_truth bp_no_swap(edge_t *e) { (void)e; return 0; }
static bp_truth bp_no_merge(node_t *n) { (void)n; return 0; }
static inline void bp_edge_reroute(edge_t *e, pointf *points, int count) {
    static splineInfo info = { bp_no_swap, bp_no_merge, 1, 0 };
    gv_free_splines(e);
    clip_and_install(e, aghead(e), points, count, &info);
}

// --- labels
static inline textlabel_t *bp_make_label(void *obj, char *text, double fontsize, char *fontname, char *fontcolor) {
    return make_label(obj, text, 0 /* LT_NONE */, fontsize, fontname, fontcolor);
}

// --- start-up

/// fontconfig's FcInit, which loads its configuration, if fontconfig is in the process
/// (cairo and the pango plugin link it), so that it can run while the pango plugin is
/// still being loaded; pango's own FcInit then finds it done. Looked up at run time:
/// bpgraph does not link fontconfig itself, and without it this is NULL. Look it up
/// before another thread starts loading a library: glibc's dlsym waits for the loader's
/// lock, which dlopen holds throughout (the pango plugin's 17 libraries: 3 ms).
#ifdef RTLD_DEFAULT
#define BP_RTLD_DEFAULT RTLD_DEFAULT
#else
#define BP_RTLD_DEFAULT ((void *)0)  /* glibc's value; its header defines it only with _GNU_SOURCE */
#endif
typedef int (*bp_fontconfig_init_t)(void);
static inline bp_fontconfig_init_t bp_fontconfig_init_function(void) {
    return (bp_fontconfig_init_t)dlsym(BP_RTLD_DEFAULT, "FcInit");
}
static inline void bp_fontconfig_call(bp_fontconfig_init_t init) {
    if (init) (void)init();
}

#endif
