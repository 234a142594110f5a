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
#include <string.h>
#include <dlfcn.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include "raster.h"
#include "reader.h"

// Blocks of 16 MB and more (a big figure's pixels) are mapped and unmapped on their own,
// always (glibc's malloc; elsewhere nothing). glibc would otherwise raise that threshold
// each time such a block is freed and keep the next ones in its heap, and a batch that
// alternates figures of different sizes then fragments the heap: its peak RSS crept up
// 15 MB over 1,000 renders of the templates in turn (`bpgraph-bench memory`).
static inline void bp_heap_setup(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 16 << 20);
#endif
}

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

// --- groups (clusters) without dot's cluster phase
//
// Graphviz 2.42's dot never frees the virtual nodes and edges of its cluster phase:
// class1's slack nodes and aux edges (make_aux_edge), class2's cluster skeletons
// (build_skeleton) and inter-cluster chains (interclrep, map_path) are unlinked with
// delete_fast_edge / delete_fast_node and lost, 10-28 KB per figure with groups
// (scripts/graphviz-cluster-leak.c). bpgraph throws dot's coordinates away anyway (it
// lays every figure out itself), so on 2.42 the renderer lays out with
// clusterrank=none, which turns dot's cluster processing off (no skeletons, no aux
// edges: nothing lost), and then registers the clusters the way dot's cluster phase
// would have (rank.c: collapse_sets, make_new_cluster, input.c: do_graph_label):
// GD_clust in the same order, each with its label. dot's cleanup frees both
// (dot_cleanup_graph: free(GD_clust), free_label(GD_label) of every subgraph).
// Releases that define GRAPHVIZ_VERSION_MAJOR keep dot's own cluster phase.

/// Whether this Graphviz's dot loses its cluster phase's memory (2.42), so that
/// bp_graph_hide_clusters is worth doing.
static inline bool bp_dot_leaks_clusters(void) {
#ifdef GRAPHVIZ_VERSION_MAJOR
    return false;
#else
    return true;
#endif
}

/// Before gvLayout: asks dot to treat no subgraph as a cluster (clusterrank=none; its
/// members are then ranked as a set, which bpgraph's own layout replaces). False, and
/// nothing changed, when the graph already turns clusters off (clusterrank global or
/// none: then it has none to register) or ranks with newrank (another cluster path).
static inline bool bp_graph_hide_clusters(graph_t *g) {
    char *rank = agget(g, (char *)"clusterrank");
    if (rank && (strcmp(rank, "global") == 0 || strcmp(rank, "none") == 0)) return false;
    char *newrank = agget(g, (char *)"newrank");
    if (newrank && (newrank[0] == 't' || newrank[0] == 'T' || newrank[0] == 'y' || newrank[0] == 'Y' || atoi(newrank) != 0)) return false;
    return agsafeset(g, (char *)"clusterrank", (char *)"none", (char *)"") == 0;
}

/// do_graph_label for a cluster: its label (LT_HTML when the text is an HTML string)
/// in its fontsize (default 14, at least 1), fontname and fontcolor, and whether it
/// sits at the top (the default) or bottom, left or right.
static inline void bp_cluster_label(graph_t *sg) {
    char *text = agget(sg, "label");
    if (!text || !text[0] || GD_label(sg)) return;
    char *size = agget(sg, "fontsize"), *end = NULL;
    double fontsize = 14.0;
    if (size && size[0]) {
        double v = strtod(size, &end);
        if (end != size) fontsize = v < 1.0 ? 1.0 : v;
    }
    char *fontname = agget(sg, "fontname");
    if (!fontname || !fontname[0]) fontname = (char *)"Times-Roman";
    char *fontcolor = agget(sg, "fontcolor");
    if (!fontcolor || !fontcolor[0]) fontcolor = (char *)"black";
    GD_label(sg) = make_label(sg, text, aghtmlstr(text) ? 2 /* LT_HTML */ : 0 /* LT_NONE */, fontsize, fontname, fontcolor);
    char *loc = agget(sg, "labelloc"), *just = agget(sg, "labeljust");
    int pos = (loc && loc[0] == 'b') ? 0 /* LABEL_AT_BOTTOM */ : 1 /* LABEL_AT_TOP */;
    if (just && just[0] == 'l') pos |= 2;       /* LABEL_AT_LEFT */
    else if (just && just[0] == 'r') pos |= 4;  /* LABEL_AT_RIGHT */
    GD_label_pos(sg) = (char)pos;
}

/// collapse_sets: the `cluster*` subgraphs of g (looking inside plain subgraphs, not
/// inside rank=same/min/source/max/sink sets), each with nodes, become clusters of
/// `parent` in cgraph's order, their own clusters below them.
static inline void bp_collect_clusters(graph_t *parent, graph_t *g) {
    for (graph_t *sg = agfstsubg(g); sg; sg = agnxtsubg(sg)) {
        if (strncmp(agnameof(sg), "cluster", 7) == 0) {
            if (!agfstnode(sg)) continue;
            // dot gives every subgraph its record (dot_init_subg), except when it packs
            // components; this finds it, or binds it as dot does.
            agbindrec(sg, (char *)"Agraphinfo_t", sizeof(Agraphinfo_t), true);
            int n = ++GD_n_cluster(parent);
            graph_t **list = (graph_t **)realloc(GD_clust(parent), (size_t)(n + 1) * sizeof(graph_t *));
            if (!list) { GD_n_cluster(parent)--; return; }
            list[0] = NULL;
            list[n] = sg;
            GD_clust(parent) = list;
            bp_cluster_label(sg);
            bp_collect_clusters(sg, sg);
            continue;
        }
        char *rank = agget(sg, "rank");
        if (rank && (strcmp(rank, "same") == 0 || strcmp(rank, "min") == 0 || strcmp(rank, "source") == 0 ||
                     strcmp(rank, "max") == 0 || strcmp(rank, "sink") == 0)) continue;
        bp_collect_clusters(parent, sg);
    }
}

/// After a successful gvLayout of a graph bp_graph_hide_clusters changed: its clusters,
/// as dot would have made them (none is made twice: only a graph dot left without
/// clusters gets them).
static inline void bp_graph_register_clusters(graph_t *g) {
    if (GD_n_cluster(g) == 0) bp_collect_clusters(g, g);
}

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

// --- a figure's globals, kept while another figure uses Graphviz
//
// Graphviz keeps part of a laid-out graph's state in globals, not in the graph:
// graph_init (in gvLayout) looks up the attribute symbols that clipping an edge
// (arrow_flags, arrow_length: E_dir, E_arrowhead, E_arrowsz) and drawing (emit.c,
// shapes.c: N_style, N_penwidth, E_color …) read later, dot's sameport phase
// E_samehead and E_sametail, and dot records how far it got (State, EdgeLabelsDone). A
// symbol indexes one graph's own attribute records: another graph's reads the wrong
// attribute, or past the end of the record. The renderer lets go of the Graphviz lock
// between a figure's layout and its drawing while bpgraph's own layout runs, and another
// figure's layout sets these meanwhile, so it saves them after gvLayout
// (bp_globals_save) and puts them back each time it takes the lock again
// (bp_globals_restore). All of 2.42's globals.h symbols (nm -D libgvc.so.6): graph_init
// sets most, dot the two same* ones, init_gvc G_peripheries and G_penwidth again at each
// drawing, and nothing sets the active/selected/visited/deleted colours. Releases with
// version macros are not known to export them alike: there the lock is kept throughout
// (bp_globals_can_save).
#ifdef GRAPHVIZ_VERSION_MAJOR
typedef struct { char unused; } bp_globals;
static inline bool bp_globals_can_save(void) { return false; }
static inline void bp_globals_save(bp_globals *saved) { (void)saved; }
static inline void bp_globals_restore(const bp_globals *saved) { (void)saved; }
#else
#define BP_SYMBOL_GLOBALS(X) \
    X(G_activefillcolor) X(G_activepencolor) X(G_deletedfillcolor) X(G_deletedpencolor) X(G_gradientangle) \
    X(G_margin) X(G_ordering) X(G_penwidth) X(G_peripheries) X(G_selectedfillcolor) X(G_selectedpencolor) \
    X(G_visitedfillcolor) X(G_visitedpencolor) \
    X(N_activefillcolor) X(N_activepencolor) X(N_color) X(N_comment) X(N_deletedfillcolor) X(N_deletedpencolor) \
    X(N_distortion) X(N_fillcolor) X(N_fixed) X(N_fontcolor) X(N_fontname) X(N_fontsize) X(N_gradientangle) \
    X(N_group) X(N_height) X(N_imagepos) X(N_imagescale) X(N_label) X(N_layer) X(N_margin) X(N_nojustify) \
    X(N_ordering) X(N_orientation) X(N_penwidth) X(N_peripheries) X(N_selectedfillcolor) X(N_selectedpencolor) \
    X(N_shape) X(N_showboxes) X(N_sides) X(N_skew) X(N_style) X(N_vertices) X(N_visitedfillcolor) \
    X(N_visitedpencolor) X(N_width) X(N_xlabel) X(N_z) \
    X(E_activefillcolor) X(E_activepencolor) X(E_arrowhead) X(E_arrowsz) X(E_arrowtail) X(E_color) X(E_comment) \
    X(E_constr) X(E_decorate) X(E_deletedfillcolor) X(E_deletedpencolor) X(E_dir) X(E_fillcolor) X(E_fontcolor) \
    X(E_fontname) X(E_fontsize) X(E_headclip) X(E_headlabel) X(E_label) X(E_label_float) X(E_labelangle) \
    X(E_labeldistance) X(E_labelfontcolor) X(E_labelfontname) X(E_labelfontsize) X(E_layer) X(E_minlen) \
    X(E_penwidth) X(E_samehead) X(E_sametail) X(E_selectedfillcolor) X(E_selectedpencolor) X(E_showboxes) \
    X(E_style) X(E_tailclip) X(E_taillabel) X(E_visitedfillcolor) X(E_visitedpencolor) X(E_weight) X(E_xlabel)
// The other globals graph_init and dot set, with globals.h's types.
#define BP_VALUE_GLOBALS(X) \
    X(int, CL_type) X(unsigned char, Concentrate) X(int, State) X(int, EdgeLabelsDone) \
    X(double, Initial_dist) X(char *, Gvimagepath)

#define BP_DECLARE_SYMBOL(name) extern Agsym_t *name;
#define BP_DECLARE_VALUE(type, name) extern type name;
BP_SYMBOL_GLOBALS(BP_DECLARE_SYMBOL)
BP_VALUE_GLOBALS(BP_DECLARE_VALUE)

#define BP_SYMBOL_FIELD(name) Agsym_t *name;
#define BP_VALUE_FIELD(type, name) type name;
typedef struct {
    BP_SYMBOL_GLOBALS(BP_SYMBOL_FIELD)
    BP_VALUE_GLOBALS(BP_VALUE_FIELD)
} bp_globals;

static inline bool bp_globals_can_save(void) { return true; }
#define BP_SAVE_SYMBOL(name) saved->name = name;
#define BP_SAVE_VALUE(type, name) saved->name = name;
static inline void bp_globals_save(bp_globals *saved) {
    BP_SYMBOL_GLOBALS(BP_SAVE_SYMBOL)
    BP_VALUE_GLOBALS(BP_SAVE_VALUE)
}
#define BP_RESTORE_SYMBOL(name) name = saved->name;
#define BP_RESTORE_VALUE(type, name) name = saved->name;
static inline void bp_globals_restore(const bp_globals *saved) {
    BP_SYMBOL_GLOBALS(BP_RESTORE_SYMBOL)
    BP_VALUE_GLOBALS(BP_RESTORE_VALUE)
}
#endif

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
