// Graphviz's dot layout leaks on graphs with clusters, in plain C, without bpgraph.
//
//   cc scripts/graphviz-cluster-leak.c $(pkg-config --cflags --libs libgvc) -o /tmp/leak
//   /tmp/leak FIGURE.dot 1000            # RSS after 10 and after N layouts + renders
//   /tmp/leak FIGURE.dot 1000 none       # the same laid out with clusterrank=none: flat
//   valgrind --leak-check=full /tmp/leak FIGURE.dot 20   # where it is lost
//
// One context, one figure read, laid out, rendered to SVG in memory and freed, N
// times, every Graphviz object freed as the API asks. With Graphviz 2.42 a figure
// with clusters loses 10-28 KB per layout: dot's cluster phase makes virtual nodes and
// edges that its cleanup never frees (class1 -> interclust1: slack nodes and
// make_aux_edge; class2 -> build_skeleton, interclrep and interclexp/map_path:
// new_virtual_edge), unlinked with delete_fast_edge and lost. A figure without clusters
// stays flat, and so does one laid out with clusterrank=none (dot then has no cluster
// phase, and draws no cluster boxes: bpgraph, which replaces dot's layout anyway,
// registers the clusters itself afterwards, Sources/CGraphviz/shim.h). Recycling the
// context does not help: the lost memory belongs to no context.
#include <graphviz/gvc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

static double peak_mb(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
#ifdef __APPLE__
    return usage.ru_maxrss / 1048576.0;
#else
    return usage.ru_maxrss / 1024.0;
#endif
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s FIGURE.dot N [none]\n", argv[0]); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 1; }
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    int renders = atoi(argv[2]);
    int noClusters = argc > 3 && argv[3][0] == 'n';
    GVC_t *gvc = gvContext();
    double after10 = 0;
    for (int i = 0; i < renders; i++) {
        Agraph_t *g = agmemread(text);
        if (!g) { fprintf(stderr, "cannot read %s\n", argv[1]); return 1; }
        if (noClusters) agsafeset(g, "clusterrank", "none", "");
        gvLayout(gvc, g, "dot");
        char *data = NULL;
        unsigned int length = 0;
        gvRenderData(gvc, g, "svg", &data, &length);
        gvFreeRenderData(data);
        gvFreeLayout(gvc, g);
        agclose(g);
        if (i == 9) after10 = peak_mb();
    }
    double end = peak_mb();
    printf("peak RSS after 10 renders %.1f MB, after %d: %.1f MB (%+.1f KB per render)\n",
           after10, renders, end, renders > 10 ? (end - after10) * 1024 / (renders - 10) : 0.0);
    gvFreeContext(gvc);
    return 0;
}
