/* Writes the seed corpus of fuzz_decode: small valid .lcc streams of every
 * modality and a few damaged ones. Run: make_corpus_decode DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/container.h"

static void save(const char *const dir, const char *const name, const void *const p, const size_t n)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *const f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n)
        fprintf(stderr, "cannot write %s\n", path);
    if (f)
        fclose(f);
}

static void emit(const char *const dir, const char *const name, LccMedia *const m)
{
    if (lcc_media_alloc(m, NULL))
        return;
    const uint64_t n = lcc_media_samples(m);
    for (uint64_t i = 0; i < n; i++) {
        if (m->modality == LCC_MODALITY_AUDIO)
            m->audio.data[i] = (int32_t)(i * 2654435761u % 4096) - 2048;
        else if (m->modality == LCC_MODALITY_IMAGE)
            m->image.data[i] = (uint16_t)(i * 7 % 256);
        else
            m->video.data[i] = (uint16_t)(i * 5 % 256);
    }
    uint8_t *buf;
    size_t size;
    LccEncodeParams p;
    lcc_default_encode_params(&p);
    p.profile = "stored";
    if (!lcc_encode(NULL, m, &p, &buf, &size)) {
        save(dir, name, buf, size);
        char n2[256];
        snprintf(n2, sizeof(n2), "%s-truncated", name);
        save(dir, n2, buf, size - size / 3);
        buf[size / 2] ^= 0x10;
        snprintf(n2, sizeof(n2), "%s-flipped", name);
        save(dir, n2, buf, size);
        free(buf);
    }
    lcc_media_free(m);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 1;
    }
    LccMedia m = { .modality = LCC_MODALITY_IMAGE };
    m.image = (LccImage){ 8, 6, 3, 8, NULL };
    emit(argv[1], "image-rgb8", &m);
    m = (LccMedia){ .modality = LCC_MODALITY_IMAGE };
    m.image = (LccImage){ 3, 5, 2, 16, NULL };
    emit(argv[1], "image-ga16", &m);
    m = (LccMedia){ .modality = LCC_MODALITY_AUDIO };
    m.audio = (LccAudio){ 2, 44100, 100, 24, NULL };
    emit(argv[1], "audio-stereo24", &m);
    m = (LccMedia){ .modality = LCC_MODALITY_VIDEO };
    m.video = (LccVideo){ 9, 7, 2, 8, LCC_CHROMA_420, 25, 1, NULL };
    emit(argv[1], "video-420", &m);
    /* A header claiming a huge image, with a valid CRC. */
    LccHeader h = { .profile_id = LCC_PROFILE_STORED };
    h.geometry.modality = LCC_MODALITY_IMAGE;
    h.geometry.image = (LccImage){ 65535, 65535, 4, 16, NULL };
    LccBuf b = { 0 };
    lcc_container_begin(&b, &h);
    lcc_container_chunk(&b, "SAMP", "abcd", 4);
    lcc_container_end(&b);
    save(argv[1], "huge-header", b.data, b.size);
    lcc_buf_free(&b);
    return 0;
}
