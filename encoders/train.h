/* Trainers of the models that `lcc train` can build. The CLI may include
 * this header (tests/check_layering.sh allows it). Each entry point parses
 * its own arguments (argv[0] is the first one after the model name) and
 * returns a process exit code: 0 done, 1 usage, 2 bad input, 3 I/O,
 * 4 internal error. */
#ifndef LCC_ENCODERS_TRAIN_H
#define LCC_ENCODERS_TRAIN_H

typedef struct LccTrainGlobal {
    int quiet;      /* no progress line, no summary */
    int json;       /* one JSON object per epoch on stdout */
    int threads;    /* worker threads (0 = default) */
} LccTrainGlobal;

/* `lcc train pc`: a hidden Chow-Liu tree for the pc profile. */
int lcc_train_pc(int argc, char **argv, const LccTrainGlobal *g);
/* Usage text of `lcc train pc`. */
extern const char lcc_train_pc_usage[];

/* `lcc train image`: the wavelet-ae image model (encoders/walloc_train.c). */
int lcc_train_image(int argc, char **argv, const LccTrainGlobal *g);
extern const char lcc_train_image_usage[];

/* `lcc train audio`: the wavelet-ae audio model (encoders/walloc_audio_train.c). */
int lcc_train_audio(int argc, char **argv, const LccTrainGlobal *g);
extern const char lcc_train_audio_usage[];

#endif /* LCC_ENCODERS_TRAIN_H */
