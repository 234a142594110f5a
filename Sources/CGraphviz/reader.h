// Reading DOT text with object IDs that do not depend on memory addresses.
//
// cgraph's default ID discipline makes a named object's ID the address of its pooled
// name string, and keeps subgraphs ordered by ID. So the order in which clusters are
// laid out and drawn followed the heap: the same DOT gave clusters in a different
// order from one run (or one batch position) to the next, and different SVG bytes.
// `bp_read_graph` reads like `agmemread`, but with IDs handed out in order of first
// mention (even numbers for names, odd for anonymous objects, as cgraph expects), so
// subgraphs come in the order the DOT text names them, on every run.
#ifndef BPGRAPH_CGRAPHVIZ_READER_H
#define BPGRAPH_CGRAPHVIZ_READER_H

#include <graphviz/cgraph.h>
#include <graphviz/cdt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    Dtlink_t link;
    char *name;
    IDTYPE id;
} bp_idrec;

typedef struct {
    Dt_t *byName;
    bp_idrec **records;      // records[k] has ID 2(k+1)
    size_t count, capacity;
    IDTYPE anonymous;        // next odd ID
} bp_idstate;

static int bp_idcompare(Dt_t *dict, void *a, void *b, Dtdisc_t *disc) {
    (void)dict; (void)disc;
    return strcmp((const char *)a, (const char *)b);
}

static Dtdisc_t *bp_iddtdisc(void) {
    static Dtdisc_t disc = {
        offsetof(bp_idrec, name), -1, offsetof(bp_idrec, link),
        NULL, NULL, bp_idcompare, NULL, NULL, NULL
    };
    return &disc;
}

static void *bp_idopen(Agraph_t *g, Agdisc_t *disc) {
    (void)g; (void)disc;
    bp_idstate *state = (bp_idstate *)calloc(1, sizeof(bp_idstate));
    if (!state) return NULL;
    state->byName = dtopen(bp_iddtdisc(), Dtoset);
    state->anonymous = 1;
    return state;
}

static long bp_idmap(void *opaque, int objtype, char *str, IDTYPE *id, int createflag) {
    (void)objtype;
    bp_idstate *state = (bp_idstate *)opaque;
    if (!state || !state->byName) return 0;
    if (!str) {
        *id = state->anonymous;
        state->anonymous += 2;
        return 1;
    }
    bp_idrec *found = (bp_idrec *)dtmatch(state->byName, str);
    if (found) { *id = found->id; return 1; }
    if (!createflag) { *id = 0; return 1; }   // as cgraph's own: no such name yet
    if (state->count == state->capacity) {
        size_t capacity = state->capacity ? state->capacity * 2 : 64;
        bp_idrec **grown = (bp_idrec **)realloc(state->records, capacity * sizeof(bp_idrec *));
        if (!grown) return 0;
        state->records = grown;
        state->capacity = capacity;
    }
    bp_idrec *record = (bp_idrec *)calloc(1, sizeof(bp_idrec));
    if (!record) return 0;
    record->name = strdup(str);
    if (!record->name) { free(record); return 0; }
    record->id = (IDTYPE)(2 * (state->count + 1));
    state->records[state->count++] = record;
    dtinsert(state->byName, record);
    *id = record->id;
    return 1;
}

static long bp_idalloc(void *state, int objtype, IDTYPE request) {
    (void)state; (void)objtype;
    return (request & 1) ? 0 : 1;
}

// Names live until the graph is closed (several objects may share one).
static void bp_idfree(void *state, int objtype, IDTYPE id) {
    (void)state; (void)objtype; (void)id;
}

static char *bp_idprint(void *opaque, int objtype, IDTYPE id) {
    (void)objtype;
    bp_idstate *state = (bp_idstate *)opaque;
    if (!state || (id & 1) || id == 0) return NULL;
    size_t k = (size_t)(id / 2) - 1;
    return k < state->count ? state->records[k]->name : NULL;
}

static void bp_idclose(void *opaque) {
    bp_idstate *state = (bp_idstate *)opaque;
    if (!state) return;
    if (state->byName) dtclose(state->byName);
    for (size_t k = 0; k < state->count; k++) { free(state->records[k]->name); free(state->records[k]); }
    free(state->records);
    free(state);
}

static void bp_idregister(void *state, int objtype, void *obj) {
    (void)state; (void)objtype; (void)obj;
}

typedef struct {
    const char *data;
    size_t length, position;
} bp_reader;

// As cgraph's memiofread: one line at a time.
static int bp_read_chunk(void *channel, char *buffer, int size) {
    bp_reader *reader = (bp_reader *)channel;
    if (size <= 0 || reader->position >= reader->length) return 0;
    int n = 0;
    char c;
    do {
        c = reader->data[reader->position++];
        buffer[n++] = c;
    } while (c != '\n' && n < size && reader->position < reader->length);
    return n;
}

/// Parses DOT text like `agmemread`, with address-independent IDs. NULL on a syntax
/// error or empty input (call `aglexbad()` then, as after `agmemread`).
static inline Agraph_t *bp_read_graph(const char *text) {
    static Agiddisc_t ids = { bp_idopen, bp_idmap, bp_idalloc, bp_idfree, bp_idprint, bp_idclose, bp_idregister };
    static Agiodisc_t io;
    io.afread = bp_read_chunk;
    io.putstr = AgIoDisc.putstr;
    io.flush = AgIoDisc.flush;
    static Agdisc_t disc;
    disc.mem = &AgMemDisc;
    disc.id = &ids;
    disc.io = &io;
    bp_reader reader = { text, strlen(text), 0 };
    return agread(&reader, &disc);
}

#endif
