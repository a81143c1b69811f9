package dev.nbce.worker.engine;

import dev.nbce.common.prefix.PrefixDigest;
import dev.nbce.worker.decoder.RowCache;
import java.util.ArrayList;
import java.util.List;

/** A prefix cache that holds nothing but counts what is asked of it: restores all but a prompt's last token. */
final class FakeBlocks implements PrefixPolicy.Blocks {
    final List<RowCache> stored = new ArrayList<>();
    final List<Long> shrinks = new ArrayList<>();
    long version;
    int digests;

    @Override
    public int restore(RowCache row, int[] prompt) {
        return prompt.length - 1;
    }

    @Override
    public void store(RowCache row) {
        stored.add(row);
        version++;
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public PrefixDigest digest() {
        digests++;
        return PrefixDigest.of(4, new long[] {version});
    }

    @Override
    public int shrinkTo(long maxBytes) {
        shrinks.add(maxBytes);
        return 0;
    }

    @Override
    public void close() {
    }
}
