/* The span model's whole reading of a posting in one call: the C twin of
 * model.SpanModel.read_python() (chunks.chunk, model.match_codes, SpanModel.emissions,
 * decode.stretches, decode.best_paths, SpanModel._spans, the spans' margins).
 *
 * It knows no attribute names. Python gives it, once, the weight of every attribute and the
 * tables of the pairs; per new chunk text (a miss in its table), the attribute indices of the
 * chunk at each offset, its ids in the pair channels and its punctuation (a callback, batched
 * per posting); per posting, the taxonomy's matches as character ranges with their code rows.
 * Everything else is arithmetic on those tables, in the same order as the Python twin and in
 * doubles (built with -ffp-contract=off), so both give the same spans and margins, bit for
 * bit; a unit test compares them on real and random postings.
 *
 * Built by `make` (python -m jobstream_tagger.spans.build); without it the tagger reads in
 * Python, with the same output, slower.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LABELS 5     /* O, B, I, L (a span's last chunk), U (a one-chunk span): decode.LABELS */
#define OUTSIDE 0
#define BEGIN 1
#define INSIDE 2
#define UNIT 4
/* Each label read back as O/B/I (decode.COLLAPSED): L is an I, U a B. */
static const int8_t COLLAPSED[LABELS] = {OUTSIDE, BEGIN, INSIDE, INSIDE, BEGIN};
#define HAS_WORD 1   /* flags of a chunk text */
#define ENDS_CLAUSE 2
#define PENDING 4    /* a row reserved for a new text, not filled yet */
#define MAX_OFFSETS 32
#define MAX_LAYERS 8

typedef struct {
    int64_t *keys; /* sorted: left id * size + right id */
    Py_ssize_t count;
    int64_t size;
    double *right; /* count x width: added to the right chunk of the pair */
    double *left;  /* added to the left one */
    int32_t *slots; /* open addressing over the keys: index + 1 (0: empty) */
    int64_t slot_mask;
} Pairs;

typedef struct {
    PyObject_HEAD
    int offsets, center, layers, width, row_size; /* width: LABELS per layer; row_size: offsets x width */
    double prune;
    double *transitions; /* layers x LABELS x LABELS */
    double *attributes;  /* attribute_count x width */
    Py_ssize_t attribute_count;
    int pair_count;
    Pairs *pairs;
    int split[MAX_LAYERS]; /* whether a layer's spans end at a clause's end ("Java, Go") */
    PyObject *make_chunks, *span_type, *layer_names;
    /* The chunk table: a row per distinct chunk text (row 0: the padding beyond a line). */
    Py_ssize_t capacity, rows, room;
    double *weights; /* room x row_size */
    int32_t *ids;    /* room x pair_count */
    int32_t *lead, *trail;
    uint8_t *flags;
    uint32_t *uses;
    uint64_t *hashes;
    Py_ssize_t *key_at, *key_length;
    Py_UCS4 *keys;
    Py_ssize_t keys_used, keys_room;
    int32_t *slots; /* open addressing; 0: empty */
    Py_ssize_t slot_mask;
    /* The taxonomy's match codes: a row per code (row 0: none). */
    Py_ssize_t code_rows, code_room;
    double *code_weights; /* code_room x row_size */
    /* Scratch for one posting. */
    Py_ssize_t scratch_room;
    Py_ssize_t *starts, *lengths;
    uint64_t *chunk_hash;
    int32_t *row_of, *line, *coded, *missing;
    uint8_t *starts_line;
    double *scores, *margins;
    int8_t *labels, *back;
    Py_ssize_t *span_first, *span_end, *span_start, *span_stop, *order, *order_tmp;
    int32_t *span_layer;
    Py_ssize_t span_room;
} Reader;

static uint64_t mix(uint64_t hash, Py_UCS4 code) {
    hash ^= (uint64_t)code;
    hash *= 0x100000001b3ULL;
    return hash;
}

static uint64_t finish(uint64_t hash) {
    hash ^= hash >> 29;
    hash *= 0xbf58476d1ce4e5b9ULL;
    hash ^= hash >> 32;
    return hash;
}

static void *grow(void *memory, Py_ssize_t count, size_t size) {
    void *bigger = PyMem_Realloc(memory, (size_t)count * size);
    if (bigger == NULL) PyErr_NoMemory();
    return bigger;
}

#define GROW(field, count, type)                                          \
    do {                                                                  \
        type *grown_ = grow(self->field, (count), sizeof(type));          \
        if (grown_ == NULL) return -1;                                    \
        self->field = grown_;                                             \
    } while (0)

/* --- the chunk table ------------------------------------------------------------------- */

static int rehash(Reader *self, Py_ssize_t slot_count) {
    PyMem_Free(self->slots);
    self->slots = PyMem_Calloc((size_t)slot_count, sizeof(int32_t));
    if (self->slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->slot_mask = slot_count - 1;
    for (Py_ssize_t row = 1; row < self->rows; row++) {
        Py_ssize_t slot = (Py_ssize_t)(self->hashes[row] & (uint64_t)self->slot_mask);
        while (self->slots[slot]) slot = (slot + 1) & self->slot_mask;
        self->slots[slot] = (int32_t)row;
    }
    return 0;
}

static int table_room(Reader *self, Py_ssize_t room) {
    if (room <= self->room) return 0;
    GROW(weights, room * self->row_size, double);
    GROW(ids, room * (self->pair_count ? self->pair_count : 1), int32_t);
    GROW(lead, room, int32_t);
    GROW(trail, room, int32_t);
    GROW(flags, room, uint8_t);
    GROW(uses, room, uint32_t);
    GROW(hashes, room, uint64_t);
    GROW(key_at, room, Py_ssize_t);
    GROW(key_length, room, Py_ssize_t);
    self->room = room;
    Py_ssize_t slot_count = 16;
    while (slot_count < 2 * room) slot_count *= 2;
    if (slot_count - 1 != self->slot_mask) return rehash(self, slot_count);
    return 0;
}

static int keys_room(Reader *self, Py_ssize_t needed) {
    if (self->keys_used + needed <= self->keys_room) return 0;
    Py_ssize_t room = self->keys_room ? self->keys_room : 4096;
    while (room < self->keys_used + needed) room *= 2;
    GROW(keys, room, Py_UCS4);
    self->keys_room = room;
    return 0;
}

/* Forget every chunk text (the padding row stays). */
static void table_clear(Reader *self) {
    self->rows = 1;
    self->keys_used = 0;
    if (self->slots != NULL) memset(self->slots, 0, (size_t)(self->slot_mask + 1) * sizeof(int32_t));
}

/* Before a posting of `count` chunks: if it might not fit under the capacity, keep only the
 * texts met more than once since the last sweep (the most used if those are too many), so the
 * common words stay and the one-off names and numbers go. Never during a posting: the rows it
 * looked up must stay what they are. What is kept changes no output, only the time. */
static int make_room(Reader *self, Py_ssize_t count) {
    if (self->rows + count <= self->capacity) return 0;
    uint32_t threshold = 2;
    for (;;) {
        Py_ssize_t kept = 0;
        for (Py_ssize_t row = 1; row < self->rows; row++) kept += self->uses[row] >= threshold;
        if (kept <= self->capacity / 2 || threshold >= (1u << 30)) break;
        threshold *= 2;
    }
    Py_ssize_t to = 1, key_to = 0;
    for (Py_ssize_t row = 1; row < self->rows; row++) {
        if (self->uses[row] < threshold) continue;
        Py_ssize_t length = self->key_length[row];
        memmove(self->keys + key_to, self->keys + self->key_at[row], (size_t)length * sizeof(Py_UCS4));
        if (to != row) {
            memcpy(self->weights + to * self->row_size, self->weights + row * self->row_size,
                   (size_t)self->row_size * sizeof(double));
            for (int pair = 0; pair < self->pair_count; pair++)
                self->ids[to * self->pair_count + pair] = self->ids[row * self->pair_count + pair];
            self->lead[to] = self->lead[row];
            self->trail[to] = self->trail[row];
            self->flags[to] = self->flags[row];
            self->hashes[to] = self->hashes[row];
        }
        self->uses[to] = 0;
        self->key_at[to] = key_to;
        self->key_length[to] = length;
        key_to += length;
        to++;
    }
    self->rows = to;
    self->keys_used = key_to;
    return rehash(self, self->slot_mask + 1);
}

static int same_key(Reader *self, Py_ssize_t row, int kind, const void *data, Py_ssize_t start,
                    Py_ssize_t length) {
    if (self->key_length[row] != length) return 0;
    const Py_UCS4 *key = self->keys + self->key_at[row];
    for (Py_ssize_t i = 0; i < length; i++)
        if (key[i] != PyUnicode_READ(kind, data, start + i)) return 0;
    return 1;
}

/* The row of the chunk text at [start, start + length), reserved (PENDING) if new; -1 on error. */
static Py_ssize_t find_or_reserve(Reader *self, uint64_t hash, int kind, const void *data,
                                  Py_ssize_t start, Py_ssize_t length, int *created) {
    Py_ssize_t slot = (Py_ssize_t)(hash & (uint64_t)self->slot_mask);
    for (;;) {
        int32_t row = self->slots[slot];
        if (row == 0) break;
        if (self->hashes[row] == hash && same_key(self, row, kind, data, start, length)) {
            *created = 0;
            return row;
        }
        slot = (slot + 1) & self->slot_mask;
    }
    if (self->rows >= self->room) {
        if (table_room(self, 2 * self->room) < 0) return -1;
        return find_or_reserve(self, hash, kind, data, start, length, created);
    }
    if (keys_room(self, length) < 0) return -1;
    Py_ssize_t row = self->rows++;
    for (Py_ssize_t i = 0; i < length; i++)
        self->keys[self->keys_used + i] = PyUnicode_READ(kind, data, start + i);
    self->key_at[row] = self->keys_used;
    self->key_length[row] = length;
    self->keys_used += length;
    self->hashes[row] = hash;
    self->flags[row] = PENDING;
    self->uses[row] = 0;
    self->slots[slot] = (int32_t)row;
    *created = 1;
    return row;
}

/* The weights of the attributes `indices` (a sequence of ints) summed in their order from
 * 0.0, as numpy's sum over axis 0 adds them; unknown indices are refused. */
static int sum_into(Reader *self, PyObject *indices, double *out) {
    PyObject *fast = PySequence_Fast(indices, "attribute indices must be a sequence");
    if (fast == NULL) return -1;
    for (int w = 0; w < self->width; w++) out[w] = 0.0;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(fast);
    PyObject **items = PySequence_Fast_ITEMS(fast);
    for (Py_ssize_t i = 0; i < count; i++) {
        Py_ssize_t index = PyLong_AsSsize_t(items[i]);
        if (index == -1 && PyErr_Occurred()) goto fail;
        if (index < 0 || index >= self->attribute_count) {
            PyErr_SetString(PyExc_IndexError, "attribute index out of range");
            goto fail;
        }
        const double *weights = self->attributes + index * self->width;
        for (int w = 0; w < self->width; w++) out[w] += weights[w];
    }
    Py_DECREF(fast);
    return 0;
fail:
    Py_DECREF(fast);
    return -1;
}

/* A row's weights at every offset from `slots` (a sequence of `offsets` index sequences). */
static int fill_slots(Reader *self, PyObject *slots, double *row) {
    PyObject *fast = PySequence_Fast(slots, "slots must be a sequence");
    if (fast == NULL) return -1;
    if (PySequence_Fast_GET_SIZE(fast) != self->offsets) {
        PyErr_SetString(PyExc_ValueError, "one sequence of attribute indices per offset");
        Py_DECREF(fast);
        return -1;
    }
    for (int slot = 0; slot < self->offsets; slot++) {
        if (sum_into(self, PySequence_Fast_GET_ITEM(fast, slot), row + slot * self->width) < 0) {
            Py_DECREF(fast);
            return -1;
        }
    }
    Py_DECREF(fast);
    return 0;
}

/* One new chunk text's row from the callback's entry:
 * (slots, ids, lead, trail, has_word, ends_clause). */
static int fill_row(Reader *self, Py_ssize_t row, PyObject *entry) {
    PyObject *slots, *ids;
    Py_ssize_t lead, trail;
    int has_word, ends_clause;
    if (!PyArg_ParseTuple(entry, "OOnnpp", &slots, &ids, &lead, &trail, &has_word, &ends_clause))
        return -1;
    if (fill_slots(self, slots, self->weights + row * self->row_size) < 0) return -1;
    PyObject *fast = PySequence_Fast(ids, "ids must be a sequence");
    if (fast == NULL) return -1;
    if (PySequence_Fast_GET_SIZE(fast) != self->pair_count) {
        PyErr_SetString(PyExc_ValueError, "one id per pair channel");
        Py_DECREF(fast);
        return -1;
    }
    for (int pair = 0; pair < self->pair_count; pair++) {
        long id = PyLong_AsLong(PySequence_Fast_GET_ITEM(fast, pair));
        if (id == -1 && PyErr_Occurred()) {
            Py_DECREF(fast);
            return -1;
        }
        self->ids[row * self->pair_count + pair] = (int32_t)id;
    }
    Py_DECREF(fast);
    self->lead[row] = (int32_t)lead;
    self->trail[row] = (int32_t)trail;
    self->flags[row] = (uint8_t)((has_word ? HAS_WORD : 0) | (ends_clause ? ENDS_CLAUSE : 0));
    return 0;
}

/* --- scratch ---------------------------------------------------------------------------- */

static int scratch_room(Reader *self, Py_ssize_t count) {
    if (count <= self->scratch_room) return 0;
    Py_ssize_t room = self->scratch_room ? self->scratch_room : 1024;
    while (room < count) room *= 2;
    GROW(starts, room, Py_ssize_t);
    GROW(lengths, room, Py_ssize_t);
    GROW(chunk_hash, room, uint64_t);
    GROW(row_of, room, int32_t);
    GROW(line, room, int32_t);
    GROW(coded, room, int32_t);
    GROW(missing, room, int32_t);
    GROW(starts_line, room + 1, uint8_t);
    GROW(scores, room * self->width, double);
    GROW(margins, room * self->layers, double);
    GROW(labels, room, int8_t);
    GROW(back, LABELS * room, int8_t);
    self->scratch_room = room;
    return 0;
}

static int span_room(Reader *self, Py_ssize_t count) {
    if (count <= self->span_room) return 0;
    Py_ssize_t room = self->span_room ? self->span_room : 256;
    while (room < count) room *= 2;
    GROW(span_first, room, Py_ssize_t);
    GROW(span_end, room, Py_ssize_t);
    GROW(span_start, room, Py_ssize_t);
    GROW(span_stop, room, Py_ssize_t);
    GROW(order, room, Py_ssize_t);
    GROW(order_tmp, room, Py_ssize_t);
    GROW(span_layer, room, int32_t);
    self->span_room = room;
    return 0;
}

/* --- decoding (decode.best_paths) ------------------------------------------------------- */

/* The best labels of the run [first, end) of one layer's scores (stride `width`). */
static void best_path(const double *scores, int width, const double *t, Py_ssize_t first,
                      Py_ssize_t end, int after_o, int before_o, int8_t *labels, int8_t *back) {
    Py_ssize_t length = end - first;
    const double *row = scores + first * width;
    double score[LABELS];
    for (int label = 0; label < LABELS; label++) score[label] = row[label];
    if (after_o)
        for (int label = 0; label < LABELS; label++) score[label] = score[label] + t[label];
    for (Py_ssize_t i = 1; i < length; i++) {
        row = scores + (first + i) * width;
        double fresh[LABELS];
        for (int label = 0; label < LABELS; label++) {
            int best = 0;
            double best_score = score[0] + t[label];
            for (int previous = 1; previous < LABELS; previous++) {
                double value = score[previous] + t[LABELS * previous + label];
                if (value > best_score) {
                    best = previous;
                    best_score = value;
                }
            }
            fresh[label] = best_score + row[label];
            back[LABELS * i + label] = (int8_t)best;
        }
        for (int label = 0; label < LABELS; label++) score[label] = fresh[label];
    }
    if (before_o)
        for (int label = 0; label < LABELS; label++)
            score[label] = score[label] + t[LABELS * label];
    int last = 0;
    for (int label = 1; label < LABELS; label++)
        if (score[label] > score[last]) last = label;
    labels[first + length - 1] = COLLAPSED[last];
    for (Py_ssize_t i = length - 1; i > 0; i--) {
        last = back[LABELS * i + last];
        labels[first + i - 1] = COLLAPSED[last];
    }
}

/* --- the reading ------------------------------------------------------------------------ */

/* The first index in sorted `values[0:count]` whose value is greater than `value`. */
static Py_ssize_t upper_bound(const Py_ssize_t *values, Py_ssize_t count, Py_ssize_t value) {
    Py_ssize_t low = 0, high = count;
    while (low < high) {
        Py_ssize_t middle = low + (high - low) / 2;
        if (values[middle] <= value)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

static uint64_t pair_slot(int64_t key) {
    return finish((uint64_t)key * 0x9e3779b97f4a7c15ULL);
}

/* The index of `key` among the channel's keys, or -1 (a hash probe: a posting asks ~600). */
static Py_ssize_t find_pair(const Pairs *pairs, int64_t key) {
    uint64_t slot = pair_slot(key) & (uint64_t)pairs->slot_mask;
    for (;;) {
        int32_t index = pairs->slots[slot];
        if (index == 0) return -1;
        if (pairs->keys[index - 1] == key) return index - 1;
        slot = (slot + 1) & (uint64_t)pairs->slot_mask;
    }
}

static int index_pairs(Pairs *pairs) {
    int64_t slot_count = 16;
    while (slot_count < 2 * pairs->count) slot_count *= 2;
    pairs->slots = PyMem_Calloc((size_t)slot_count, sizeof(int32_t));
    if (pairs->slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    pairs->slot_mask = slot_count - 1;
    for (Py_ssize_t index = 0; index < pairs->count; index++) {
        uint64_t slot = pair_slot(pairs->keys[index]) & (uint64_t)pairs->slot_mask;
        while (pairs->slots[slot]) slot = (slot + 1) & (uint64_t)pairs->slot_mask;
        pairs->slots[slot] = (int32_t)(index + 1);
    }
    return 0;
}

/* What a code point is to the cutting: 0 a chunk's character, SPACE white space
 * (str.split()'s), LINE_END white space that ends a line too (str.splitlines()'s). */
#define SPACE 1
#define LINE_END 3
static uint8_t latin1_class[256]; /* filled at import from Python's own tables */

static inline int char_class(Py_UCS4 code) {
    if (code < 256) return latin1_class[code];
    if (!Py_UNICODE_ISSPACE(code)) return 0;
    return Py_UNICODE_ISLINEBREAK(code) ? LINE_END : SPACE;
}

/* One loop per kind of string (1, 2 or 4 bytes a code point), so the read is a plain load. */
#define CUT_LOOP(TYPE)                                                                   \
    do {                                                                                 \
        const TYPE *chars = (const TYPE *)data;                                          \
        for (Py_ssize_t i = 0; i < length; i++) {                                        \
            Py_UCS4 code = chars[i];                                                     \
            int what = char_class(code);                                                 \
            if (what) {                                                                  \
                if (in_chunk) {                                                          \
                    self->lengths[count - 1] = i - self->starts[count - 1];              \
                    self->chunk_hash[count - 1] = finish(hash);                          \
                    in_chunk = 0;                                                        \
                }                                                                        \
                if (what == LINE_END) line_break = 1;                                    \
            } else {                                                                     \
                if (!in_chunk) {                                                         \
                    self->starts[count] = i;                                             \
                    self->starts_line[count] = (uint8_t)(count == 0 || line_break);      \
                    line_break = 0;                                                      \
                    hash = 0xcbf29ce484222325ULL;                                        \
                    in_chunk = 1;                                                        \
                    count++;                                                             \
                }                                                                        \
                hash = mix(hash, code);                                                  \
            }                                                                            \
        }                                                                                \
    } while (0)

/* Cut the text into chunks (str.split()'s white space), their lines, and their hashes. */
static Py_ssize_t cut(Reader *self, int kind, const void *data, Py_ssize_t length) {
    Py_ssize_t count = 0;
    int in_chunk = 0, line_break = 0;
    uint64_t hash = 0;
    if (kind == PyUnicode_1BYTE_KIND)
        CUT_LOOP(Py_UCS1);
    else if (kind == PyUnicode_2BYTE_KIND)
        CUT_LOOP(Py_UCS2);
    else
        CUT_LOOP(Py_UCS4);
    if (in_chunk) {
        self->lengths[count - 1] = length - self->starts[count - 1];
        self->chunk_hash[count - 1] = finish(hash);
    }
    self->starts_line[count] = 1;
    int32_t number = -1;
    for (Py_ssize_t c = 0; c < count; c++) {
        number += self->starts_line[c];
        self->line[c] = number;
    }
    return count;
}

/* Each chunk's row, new texts' rows filled by one call of `make_chunks`. */
static int look_up(Reader *self, PyObject *text, int kind, const void *data, Py_ssize_t count) {
    if (make_room(self, count) < 0) return -1;
    Py_ssize_t missing = 0;
    for (Py_ssize_t c = 0; c < count; c++) {
        int created = 0;
        Py_ssize_t row = find_or_reserve(self, self->chunk_hash[c], kind, data, self->starts[c],
                                         self->lengths[c], &created);
        if (row < 0) return -1;
        self->row_of[c] = (int32_t)row;
        if (created) self->missing[missing++] = (int32_t)c;
        if (self->uses[row] < UINT32_MAX) self->uses[row]++;
    }
    if (!missing) return 0;
    PyObject *texts = PyList_New(missing);
    if (texts == NULL) goto fail;
    for (Py_ssize_t m = 0; m < missing; m++) {
        Py_ssize_t c = self->missing[m];
        PyObject *piece = PyUnicode_Substring(text, self->starts[c], self->starts[c] + self->lengths[c]);
        if (piece == NULL) {
            Py_DECREF(texts);
            goto fail;
        }
        PyList_SET_ITEM(texts, m, piece);
    }
    PyObject *entries = PyObject_CallOneArg(self->make_chunks, texts);
    Py_DECREF(texts);
    if (entries == NULL) goto fail;
    PyObject *fast = PySequence_Fast(entries, "make_chunks must return a sequence");
    Py_DECREF(entries);
    if (fast == NULL) goto fail;
    if (PySequence_Fast_GET_SIZE(fast) != missing) {
        PyErr_SetString(PyExc_ValueError, "make_chunks must return one entry per text");
        Py_DECREF(fast);
        goto fail;
    }
    for (Py_ssize_t m = 0; m < missing; m++) {
        if (fill_row(self, self->row_of[self->missing[m]], PySequence_Fast_GET_ITEM(fast, m)) < 0) {
            Py_DECREF(fast);
            goto fail;
        }
    }
    Py_DECREF(fast);
    return 0;
fail:
    table_clear(self); /* rows reserved and never filled must not stay */
    return -1;
}

/* to += from, one weight per label of every layer; two layers unrolled: the same
 * additions, element by element, as the general loop. */
static inline void add_row(double *restrict to, const double *restrict from, int width) {
    if (width == 2 * LABELS) {
        for (int w = 0; w < 2 * LABELS; w++) to[w] += from[w];
        return;
    }
    for (int w = 0; w < width; w++) to[w] += from[w];
}

static void emissions(Reader *self, Py_ssize_t count) {
    const int width = self->width, row_size = self->row_size, center = self->center;
    for (Py_ssize_t c = 0; c < count; c++) {
        double *score = self->scores + c * width;
        const double *own = self->weights + (Py_ssize_t)self->row_of[c] * row_size + center * width;
        for (int w = 0; w < width; w++) score[w] = own[w];
        for (int slot = 0; slot < self->offsets; slot++) {
            if (slot == center) continue;
            Py_ssize_t other = c + slot - center;
            Py_ssize_t row = 0; /* beyond the line: the padding */
            if (other >= 0 && other < count && self->line[other] == self->line[c])
                row = self->row_of[other];
            const double *add = self->weights + row * row_size + slot * width;
            add_row(score, add, width);
        }
    }
    for (int channel = 0; channel < self->pair_count; channel++) {
        const Pairs *pairs = &self->pairs[channel];
        if (!pairs->count || count < 2) continue;
        for (Py_ssize_t c = 1; c < count; c++) {
            if (self->line[c] != self->line[c - 1]) continue;
            int64_t left = self->ids[(Py_ssize_t)self->row_of[c - 1] * self->pair_count + channel];
            int64_t right = self->ids[(Py_ssize_t)self->row_of[c] * self->pair_count + channel];
            if (left < 0 || right < 0) continue;
            Py_ssize_t found = find_pair(pairs, left * pairs->size + right);
            if (found < 0) continue;
            double *score = self->scores + c * width;
            add_row(score, pairs->right + found * width, width);
            score = self->scores + (c - 1) * width;
            add_row(score, pairs->left + found * width, width);
        }
    }
}

/* The taxonomy's matches (flat: start, end, B row, I row per match, in order) as codes of the
 * chunks they cover (a later match overwrites), then what each chunk sees of them. */
static int add_codes(Reader *self, PyObject *matches, Py_ssize_t count) {
    PyObject *fast = PySequence_Fast(matches, "matches must be a sequence");
    if (fast == NULL) return -1;
    Py_ssize_t size = PySequence_Fast_GET_SIZE(fast);
    if (size % 4) {
        PyErr_SetString(PyExc_ValueError, "matches: four ints per match");
        Py_DECREF(fast);
        return -1;
    }
    PyObject **items = PySequence_Fast_ITEMS(fast);
    int any = 0;
    memset(self->coded, 0, (size_t)count * sizeof(int32_t));
    for (Py_ssize_t m = 0; m < size; m += 4) {
        Py_ssize_t values[4];
        for (int k = 0; k < 4; k++) {
            values[k] = PyLong_AsSsize_t(items[m + k]);
            if (values[k] == -1 && PyErr_Occurred()) {
                Py_DECREF(fast);
                return -1;
            }
        }
        if (values[2] < 0 || values[2] >= self->code_rows || values[3] < 0 ||
            values[3] >= self->code_rows) {
            PyErr_SetString(PyExc_IndexError, "code row out of range");
            Py_DECREF(fast);
            return -1;
        }
        Py_ssize_t first = upper_bound(self->starts, count, values[0]) - 1;
        Py_ssize_t end = upper_bound(self->starts, count, values[1] - 1);
        if (first < 0 || first >= end) continue;
        any = 1;
        self->coded[first] = (int32_t)values[2];
        for (Py_ssize_t c = first + 1; c < end; c++) self->coded[c] = (int32_t)values[3];
    }
    Py_DECREF(fast);
    if (!any) return 0;
    const int width = self->width, row_size = self->row_size;
    for (Py_ssize_t c = 0; c < count; c++) {
        double *score = self->scores + c * width;
        for (int slot = 0; slot < self->offsets; slot++) {
            Py_ssize_t other = c + slot - self->center;
            if (other < 0 || other >= count || self->line[other] != self->line[c]) continue;
            int32_t code = self->coded[other];
            if (!code) continue;
            const double *add = self->code_weights + (Py_ssize_t)code * row_size + slot * width;
            add_row(score, add, width);
        }
    }
    return 0;
}

/* Whether a chunk's best span label scores within `prune` of O (decode.stretches). */
static inline int candidate(const double *s, double prune) {
    double outside = s[0] - prune;
    for (int label = 1; label < LABELS; label++)
        if (s[label] > outside) return 1;
    return 0;
}

/* One layer: margins, stretches, Viterbi, then the spans of its labels; appended to the spans. */
static int read_layer(Reader *self, int layer, Py_ssize_t count, Py_ssize_t *span_count) {
    const int width = self->width;
    const double *t = self->transitions + LABELS * LABELS * layer;
    const double *scores = self->scores + LABELS * layer;
    double *margins = self->margins + layer;
    for (Py_ssize_t c = 0; c < count; c++) {
        const double *s = scores + c * width;
        double as_begin = t[BEGIN] + s[BEGIN] + t[LABELS * BEGIN];
        double as_unit = t[UNIT] + s[UNIT] + t[LABELS * UNIT];
        double as_span = as_begin > as_unit ? as_begin : as_unit;
        double as_nothing = 2 * t[0] + s[0];
        margins[c * self->layers] = as_span - as_nothing;
    }
    /* stretches: the chunks whose span labels are within `prune` of O, cut at line starts */
    memset(self->labels, OUTSIDE, (size_t)count);
    Py_ssize_t c = 0;
    while (c < count) {
        const double *s = scores + c * width;
        if (!candidate(s, self->prune)) {
            c++;
            continue;
        }
        Py_ssize_t first = c++;
        while (c < count && !self->starts_line[c]) {
            s = scores + c * width;
            if (!candidate(s, self->prune)) break;
            c++;
        }
        best_path(scores, width, t, first, c, !self->starts_line[first], !self->starts_line[c],
                  self->labels, self->back);
    }
    /* spans: a B, or an I after O or at a line's start, opens one; the I's after it go on */
    const int8_t *labels = self->labels;
    c = 0;
    while (c < count) {
        if (labels[c] == OUTSIDE) {
            c++;
            continue;
        }
        Py_ssize_t first = c++;
        while (c < count && labels[c] == INSIDE && !self->starts_line[c]) c++;
        Py_ssize_t end = c;
        while (first < end && !(self->flags[self->row_of[first]] & HAS_WORD)) first++;
        while (end > first && !(self->flags[self->row_of[end - 1]] & HAS_WORD)) end--;
        Py_ssize_t start_at = first;
        for (Py_ssize_t index = first; index < end; index++) {
            if (!(index == end - 1 ||
                  (self->split[layer] && (self->flags[self->row_of[index]] & ENDS_CLAUSE))))
                continue;
            Py_ssize_t last = index;
            Py_ssize_t start = self->starts[start_at] + self->lead[self->row_of[start_at]];
            Py_ssize_t stop = self->starts[last] + self->lengths[last] - self->trail[self->row_of[last]];
            if (stop > start) {
                if (span_room(self, *span_count + 1) < 0) return -1;
                Py_ssize_t n = (*span_count)++;
                self->span_first[n] = start_at;
                self->span_end[n] = index + 1;
                self->span_start[n] = start;
                self->span_stop[n] = stop;
                self->span_layer[n] = layer;
            }
            start_at = index + 1;
        }
    }
    return 0;
}

/* Whether span a comes before span b: by start, then the longer first. */
static int before(Reader *self, Py_ssize_t a, Py_ssize_t b) {
    if (self->span_start[a] != self->span_start[b]) return self->span_start[a] < self->span_start[b];
    return self->span_stop[a] > self->span_stop[b];
}

/* A stable merge sort of the spans' order (Python's sort is stable too). */
static void sort_spans(Reader *self, Py_ssize_t count) {
    Py_ssize_t *from = self->order, *to = self->order_tmp;
    for (Py_ssize_t i = 0; i < count; i++) from[i] = i;
    for (Py_ssize_t width = 1; width < count; width *= 2) {
        for (Py_ssize_t low = 0; low < count; low += 2 * width) {
            Py_ssize_t middle = low + width < count ? low + width : count;
            Py_ssize_t high = low + 2 * width < count ? low + 2 * width : count;
            Py_ssize_t i = low, j = middle, k = low;
            while (i < middle && j < high) to[k++] = before(self, from[j], from[i]) ? from[j++] : from[i++];
            while (i < middle) to[k++] = from[i++];
            while (j < high) to[k++] = from[j++];
        }
        Py_ssize_t *swap = from;
        from = to;
        to = swap;
    }
    if (from != self->order) memcpy(self->order, from, (size_t)count * sizeof(Py_ssize_t));
}

static PyObject *make_span(Reader *self, Py_ssize_t n) {
    PyTypeObject *type = (PyTypeObject *)self->span_type;
    int layer = self->span_layer[n];
    double margin = self->margins[self->span_first[n] * self->layers + layer];
    for (Py_ssize_t c = self->span_first[n] + 1; c < self->span_end[n]; c++) {
        double value = self->margins[c * self->layers + layer];
        if (value > margin) margin = value;
    }
    PyObject *values[6] = {
        PyLong_FromSsize_t(self->span_start[n]),
        PyLong_FromSsize_t(self->span_stop[n]),
        Py_NewRef(PyTuple_GET_ITEM(self->layer_names, layer)),
        PyLong_FromSsize_t(self->span_first[n]),
        PyLong_FromSsize_t(self->span_end[n]),
        PyFloat_FromDouble(margin),
    };
    PyObject *span = NULL;
    for (int i = 0; i < 6; i++)
        if (values[i] == NULL) goto done;
    span = type->tp_alloc(type, 6); /* a tuple subclass (typing.NamedTuple), as tuple.__new__ makes */
    if (span == NULL) goto done;
    for (int i = 0; i < 6; i++) {
        PyTuple_SET_ITEM(span, i, values[i]);
        values[i] = NULL;
    }
done:
    for (int i = 0; i < 6; i++) Py_XDECREF(values[i]);
    return span;
}

static PyObject *Reader_read(Reader *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "read(text: str, matches: list[int])");
        return NULL;
    }
    PyObject *text = args[0];
    if (PyUnicode_READY(text) < 0) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    if (scratch_room(self, length / 2 + 2) < 0) return NULL;
    Py_ssize_t count = cut(self, kind, data, length);
    if (count == 0) return PyList_New(0);
    if (look_up(self, text, kind, data, count) < 0) return NULL;
    emissions(self, count);
    if (add_codes(self, args[1], count) < 0) return NULL;
    Py_ssize_t span_count = 0;
    for (int layer = 0; layer < self->layers; layer++)
        if (read_layer(self, layer, count, &span_count) < 0) return NULL;
    if (span_room(self, span_count) < 0) return NULL;
    sort_spans(self, span_count);
    PyObject *spans = PyList_New(span_count);
    if (spans == NULL) return NULL;
    for (Py_ssize_t i = 0; i < span_count; i++) {
        PyObject *span = make_span(self, self->order[i]);
        if (span == NULL) {
            Py_DECREF(spans);
            return NULL;
        }
        PyList_SET_ITEM(spans, i, span);
    }
    return spans;
}

/* set_padding(slots): the weights of the padding beyond a line's edge, per offset. */
static PyObject *Reader_set_padding(Reader *self, PyObject *slots) {
    if (fill_slots(self, slots, self->weights) < 0) return NULL;
    Py_RETURN_NONE;
}

/* add_code(slots) -> row: a taxonomy match code's weights at each offset; its row. */
static PyObject *Reader_add_code(Reader *self, PyObject *slots) {
    if (self->code_rows >= self->code_room) {
        Py_ssize_t room = 2 * self->code_room;
        double *grown = grow(self->code_weights, room * self->row_size, sizeof(double));
        if (grown == NULL) return NULL;
        self->code_weights = grown;
        self->code_room = room;
    }
    if (fill_slots(self, slots, self->code_weights + self->code_rows * self->row_size) < 0)
        return NULL;
    return PyLong_FromSsize_t(self->code_rows++);
}

static PyObject *Reader_clear(Reader *self, PyObject *Py_UNUSED(unused)) {
    table_clear(self);
    Py_RETURN_NONE;
}

/* rows() -> the number of chunk texts in the table (the padding row left out). */
static PyObject *Reader_rows(Reader *self, PyObject *Py_UNUSED(unused)) {
    return PyLong_FromSsize_t(self->rows - 1);
}

/* Copy a C-contiguous buffer of `count` items of `format` ('d' or 'q') into new memory. */
static void *copied(PyObject *object, char format, Py_ssize_t *count) {
    Py_buffer view;
    if (PyObject_GetBuffer(object, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return NULL;
    void *memory = NULL;
    /* 'q' (long long) and 'l' (long) are both int64 where long is 8 bytes */
    char given = view.format == NULL ? 'B' : view.format[0] == '<' || view.format[0] == '=' ? view.format[1] : view.format[0];
    if (given == 'l' && format == 'q') given = 'q';
    if (view.itemsize != 8 || given != format) {
        PyErr_Format(PyExc_TypeError, "expected a contiguous buffer of 8-byte '%c'", format);
    } else {
        memory = PyMem_Malloc(view.len ? (size_t)view.len : 1);
        if (memory == NULL)
            PyErr_NoMemory();
        else {
            memcpy(memory, view.buf, (size_t)view.len);
            *count = view.len / 8;
        }
    }
    PyBuffer_Release(&view);
    return memory;
}

/* Reader(attributes, transitions, offsets, center, prune, capacity, pairs, make_chunks,
 *        span_type, layer_names, split)
 * attributes: float64 (n, LABELS x layers); transitions: float64 (layers, LABELS, LABELS); pairs: a list of
 * (keys int64 sorted, size, right float64 (k, width), left float64 (k, width)); split: per
 * layer, whether its spans end at a clause's end. */
static int Reader_init(Reader *self, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"attributes", "transitions", "offsets", "center", "prune", "capacity",
                            "pairs", "make_chunks", "span_type", "layer_names", "split", NULL};
    PyObject *attributes, *transitions, *pairs, *make_chunks, *span_type, *layer_names, *split;
    int offsets, center;
    double prune;
    Py_ssize_t capacity;
    if (self->attributes != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "a Reader is initialised once");
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOiidnOOOO!O", names, &attributes,
                                     &transitions, &offsets, &center, &prune, &capacity, &pairs,
                                     &make_chunks, &span_type, &PyTuple_Type, &layer_names, &split))
        return -1;
    Py_ssize_t layers = PyTuple_GET_SIZE(layer_names);
    if (layers < 1 || layers > MAX_LAYERS || offsets < 1 || offsets > MAX_OFFSETS || center < 0 ||
        center >= offsets || capacity < 16 || !PyType_Check(span_type) ||
        !PyType_IsSubtype((PyTypeObject *)span_type, &PyTuple_Type) || !PyCallable_Check(make_chunks)) {
        PyErr_SetString(PyExc_ValueError, "Reader: bad shape, capacity, span type or callback");
        return -1;
    }
    self->layers = (int)layers;
    self->width = LABELS * self->layers;
    self->offsets = offsets;
    self->center = center;
    self->row_size = offsets * self->width;
    self->prune = prune;
    self->capacity = capacity;
    Py_ssize_t size;
    self->attributes = copied(attributes, 'd', &size);
    if (self->attributes == NULL) return -1;
    self->attribute_count = size / self->width;
    if (size % self->width) {
        PyErr_SetString(PyExc_ValueError, "attributes: a weight per label per layer each");
        return -1;
    }
    self->transitions = copied(transitions, 'd', &size);
    if (self->transitions == NULL) return -1;
    if (size != LABELS * LABELS * layers) {
        PyErr_SetString(PyExc_ValueError, "transitions: LABELS x LABELS per layer");
        return -1;
    }
    PyObject *split_fast = PySequence_Fast(split, "split must be a sequence");
    if (split_fast == NULL) return -1;
    if (PySequence_Fast_GET_SIZE(split_fast) != layers) {
        Py_DECREF(split_fast);
        PyErr_SetString(PyExc_ValueError, "split: one flag per layer");
        return -1;
    }
    for (Py_ssize_t layer = 0; layer < layers; layer++) {
        int flag = PyObject_IsTrue(PySequence_Fast_GET_ITEM(split_fast, layer));
        if (flag < 0) {
            Py_DECREF(split_fast);
            return -1;
        }
        self->split[layer] = flag;
    }
    Py_DECREF(split_fast);
    PyObject *pairs_fast = PySequence_Fast(pairs, "pairs must be a sequence");
    if (pairs_fast == NULL) return -1;
    Py_ssize_t pair_count = PySequence_Fast_GET_SIZE(pairs_fast);
    self->pairs = PyMem_Calloc(pair_count ? (size_t)pair_count : 1, sizeof(Pairs));
    if (self->pairs == NULL) {
        Py_DECREF(pairs_fast);
        PyErr_NoMemory();
        return -1;
    }
    self->pair_count = (int)pair_count;
    for (Py_ssize_t p = 0; p < pair_count; p++) {
        PyObject *keys, *right, *left;
        Py_ssize_t key_size, right_size, left_size;
        long long vocabulary;
        Pairs *channel = &self->pairs[p];
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(pairs_fast, p), "OLOO", &keys, &vocabulary,
                              &right, &left) ||
            (channel->keys = copied(keys, 'q', &key_size)) == NULL ||
            (channel->right = copied(right, 'd', &right_size)) == NULL ||
            (channel->left = copied(left, 'd', &left_size)) == NULL) {
            Py_DECREF(pairs_fast);
            return -1;
        }
        if (right_size != key_size * self->width || left_size != right_size) {
            Py_DECREF(pairs_fast);
            PyErr_SetString(PyExc_ValueError, "pairs: one row of weights per key");
            return -1;
        }
        for (Py_ssize_t k = 1; k < key_size; k++) {
            if (channel->keys[k - 1] >= channel->keys[k]) {
                Py_DECREF(pairs_fast);
                PyErr_SetString(PyExc_ValueError, "pairs: keys must be sorted and distinct");
                return -1;
            }
        }
        channel->count = key_size;
        channel->size = vocabulary;
        if (index_pairs(channel) < 0) {
            Py_DECREF(pairs_fast);
            return -1;
        }
    }
    Py_DECREF(pairs_fast);
    self->make_chunks = Py_NewRef(make_chunks);
    self->span_type = Py_NewRef(span_type);
    self->layer_names = Py_NewRef(layer_names);
    Py_ssize_t room = capacity < 4096 ? capacity + 1 : 4097;
    if (table_room(self, room) < 0) return -1;
    memset(self->weights, 0, (size_t)self->row_size * sizeof(double)); /* the padding's row */
    self->flags[0] = 0;
    self->rows = 1;
    self->code_room = 64;
    self->code_weights = PyMem_Calloc((size_t)(self->code_room * self->row_size), sizeof(double));
    if (self->code_weights == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->code_rows = 1; /* row 0: no code */
    return 0;
}

static int Reader_traverse(Reader *self, visitproc visit, void *arg) {
    Py_VISIT(self->make_chunks);
    Py_VISIT(self->span_type);
    Py_VISIT(self->layer_names);
    return 0;
}

static int Reader_clear_references(Reader *self) {
    Py_CLEAR(self->make_chunks);
    Py_CLEAR(self->span_type);
    Py_CLEAR(self->layer_names);
    return 0;
}

static void Reader_dealloc(Reader *self) {
    PyObject_GC_UnTrack(self);
    Reader_clear_references(self);
    for (int p = 0; p < self->pair_count; p++) {
        PyMem_Free(self->pairs[p].keys);
        PyMem_Free(self->pairs[p].right);
        PyMem_Free(self->pairs[p].left);
        PyMem_Free(self->pairs[p].slots);
    }
    void *memory[] = {self->pairs, self->transitions, self->attributes, self->weights, self->ids,
                      self->lead, self->trail, self->flags, self->uses, self->hashes, self->key_at,
                      self->key_length, self->keys, self->slots, self->code_weights, self->starts,
                      self->lengths, self->chunk_hash, self->row_of, self->line,
                      self->coded, self->missing, self->starts_line, self->scores, self->margins,
                      self->labels, self->back, self->span_first, self->span_end,
                      self->span_start, self->span_stop, self->order, self->order_tmp,
                      self->span_layer};
    for (size_t i = 0; i < sizeof(memory) / sizeof(memory[0]); i++) PyMem_Free(memory[i]);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef Reader_methods[] = {
    {"read", (PyCFunction)(void (*)(void))Reader_read, METH_FASTCALL,
     "read(text, matches) -> spans, in text order (start, then the longer first)"},
    {"set_padding", (PyCFunction)Reader_set_padding, METH_O,
     "set_padding(slots): the padding's attribute indices per offset"},
    {"add_code", (PyCFunction)Reader_add_code, METH_O,
     "add_code(slots) -> row: a match code's attribute indices per offset"},
    {"clear", (PyCFunction)Reader_clear, METH_NOARGS, "forget every chunk text"},
    {"rows", (PyCFunction)Reader_rows, METH_NOARGS, "the number of chunk texts in the table"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ReaderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "jobstream_tagger.spans._reading.Reader",
    .tp_basicsize = sizeof(Reader),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The span model's reading of a posting, in one call (see model.py).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Reader_init,
    .tp_dealloc = (destructor)Reader_dealloc,
    .tp_traverse = (traverseproc)Reader_traverse,
    .tp_clear = (inquiry)Reader_clear_references,
    .tp_methods = Reader_methods,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_reading",
    .m_doc = "The span model's reading in C (see model.py).",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit__reading(void) {
    for (Py_UCS4 code = 0; code < 256; code++)
        latin1_class[code] = (uint8_t)(!Py_UNICODE_ISSPACE(code)       ? 0
                                       : Py_UNICODE_ISLINEBREAK(code) ? LINE_END
                                                                      : SPACE);
    if (PyType_Ready(&ReaderType) < 0) return NULL;
    PyObject *created = PyModule_Create(&module);
    if (created == NULL) return NULL;
    if (PyModule_AddObjectRef(created, "Reader", (PyObject *)&ReaderType) < 0) {
        Py_DECREF(created);
        return NULL;
    }
    return created;
}
