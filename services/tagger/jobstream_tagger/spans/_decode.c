/* The span model's Viterbi over stretches of chunks: the C twin of decode.best_paths().
 *
 * Same arithmetic in the same order, in doubles, same tie-breaking (the lower label wins a
 * tie), so both give the same labels; a unit test compares them. Built by `make` with the
 * ordinary toolchain (cc -O2 -shared -fPIC); decode.py falls back to Python without it.
 */
#include <stdint.h>
#include <stdlib.h>

/* labels: one per chunk; each run's [first, end) is written, the rest left as it is. */
int best_paths(const double *emissions, const double *t, const int64_t *runs, int64_t count,
               int8_t *labels) {
    for (int64_t r = 0; r < count; r++) {
        int64_t first = runs[4 * r], end = runs[4 * r + 1];
        int after_o = runs[4 * r + 2] != 0, before_o = runs[4 * r + 3] != 0;
        int64_t length = end - first;
        if (length <= 0) continue;
        int8_t *back = malloc((size_t)(3 * length));
        if (back == NULL) return -1;
        const double *row = emissions + 3 * first;
        double score[3] = {row[0], row[1], row[2]};
        if (after_o) {
            score[0] = score[0] + t[0];
            score[1] = score[1] + t[1];
            score[2] = score[2] + t[2];
        }
        for (int64_t i = 1; i < length; i++) {
            row = emissions + 3 * (first + i);
            double fresh[3];
            for (int label = 0; label < 3; label++) {
                int best = 0;
                double best_score = score[0] + t[label];
                for (int previous = 1; previous < 3; previous++) {
                    double value = score[previous] + t[3 * previous + label];
                    if (value > best_score) {
                        best = previous;
                        best_score = value;
                    }
                }
                fresh[label] = best_score + row[label];
                back[3 * i + label] = (int8_t)best;
            }
            score[0] = fresh[0];
            score[1] = fresh[1];
            score[2] = fresh[2];
        }
        if (before_o) {
            score[0] = score[0] + t[0];
            score[1] = score[1] + t[3];
            score[2] = score[2] + t[6];
        }
        int last = 0;
        for (int label = 1; label < 3; label++)
            if (score[label] > score[last]) last = label;
        labels[first + length - 1] = (int8_t)last;
        for (int64_t i = length - 1; i > 0; i--) {
            last = back[3 * i + last];
            labels[first + i - 1] = (int8_t)last;
        }
        free(back);
    }
    return 0;
}
