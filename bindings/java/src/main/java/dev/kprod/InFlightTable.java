package dev.kprod;

/**
 * The records handed to libkprod whose reports have not come back, by token:
 * a record's token (slot + 1) is its kprod_message_t.opaque, a number, never a
 * JNI reference, so nothing per record is pinned on the native side. Slots are
 * reused; guarded by the producer's lock.
 */
final class InFlightTable {
    private InFlightRecord[] slots = new InFlightRecord[1024];
    private int[] free = new int[1024];
    private int freeCount;
    private int used; // slots [0, used) have been handed out at least once
    private int size;

    /** Stores record and returns its token (never 0). */
    long add(InFlightRecord record) {
        int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
        } else {
            if (used == slots.length) grow();
            slot = used++;
        }
        slots[slot] = record;
        size++;
        return slot + 1L;
    }

    /** Removes and returns the record of token. */
    InFlightRecord take(long token) {
        int slot = (int) (token - 1);
        InFlightRecord record = slots[slot];
        if (record == null) throw new IllegalStateException("kprod: a report for unknown token " + token);
        slots[slot] = null;
        free[freeCount++] = slot;
        size--;
        return record;
    }

    int size() {
        return size;
    }

    private void grow() {
        slots = java.util.Arrays.copyOf(slots, slots.length * 2);
        free = java.util.Arrays.copyOf(free, free.length * 2);
    }
}
