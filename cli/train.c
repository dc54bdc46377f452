/* lcc train MODEL ...: dispatch to the trainer of each model. */
#include <string.h>

#include "cli/cli.h"
#include "config.h"
#include "encoders/train.h"

typedef struct TrainModel {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv, const LccTrainGlobal *g);
    const char *usage;
} TrainModel;

#if CONFIG_ENCODERS
static const TrainModel models[] = {
    { "image", "wavelet-ae image model (all quality levels)", lcc_train_image, lcc_train_image_usage },
    { "audio", "wavelet-ae audio model (all quality levels)", lcc_train_audio, lcc_train_audio_usage },
    { "pc", "hidden Chow-Liu tree for the lossless pc profile", lcc_train_pc, lcc_train_pc_usage },
};
#define NUM_MODELS (sizeof(models) / sizeof(models[0]))
#else
static const TrainModel models[1] = { { NULL, NULL, NULL, NULL } };
#define NUM_MODELS 0
#endif

static const char usage_text[] =
    "Usage: lcc train MODEL [options]\n"
    "Train a model and write its weights (*.lccw). Models:\n"
    "  image    wavelet-ae image model (WaLLoC), all quality levels at once\n"
    "  audio    wavelet-ae audio model (WaLLoC, mono model for every channel), all quality levels\n"
    "  pc       hidden Chow-Liu tree (probabilistic circuit) for the lossless pc profile\n"
    "`lcc train MODEL` without options lists the options of MODEL.\n"
#if !CONFIG_ENCODERS
    "(This lcc was built without encoders: no model can be trained.)\n"
#endif
    ;

static int run(const CliGlobal *const g, const int argc, char **const argv)
{
    if (argc < 1)
        return cli_usage_error("train", "needs a model name (one of: image, audio, pc)");
    for (size_t i = 0; i < (size_t)NUM_MODELS; i++) {
        if (strcmp(argv[0], models[i].name))
            continue;
        for (int k = 1; k < argc; k++)
            if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h")) {
                fputs(models[i].usage, stdout);
                return EXIT_OK;
            }
        const LccTrainGlobal tg = { g->quiet, g->json, g->threads };
        return models[i].run(argc - 1, argv + 1, &tg);
    }
    return cli_usage_error("train", "unknown model '%s' (models: image, audio, pc)", argv[0]);
}

const CliCommand cli_train = { "train", "train a model (pc: checkpoints, --resume)", usage_text, run, 1 };
