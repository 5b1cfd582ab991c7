package dev.tracepoke.perf;

import java.util.Arrays;

/**
 * One event of the recording: its attr, the sample ids that name it in records, and its name
 * (from EVENT_DESC; empty when the file has none).
 */
public record AttrEntry(PerfEventAttr attr, long[] ids, String name) {
  public AttrEntry {
    ids = ids.clone();
  }

  @Override
  public long[] ids() {
    return ids.clone();
  }

  public boolean hasId(long id) {
    for (long v : ids) {
      if (v == id) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AttrEntry e && attr.equals(e.attr) && Arrays.equals(ids, e.ids) && name.equals(e.name);
  }

  @Override
  public int hashCode() {
    return attr.hashCode() * 31 + Arrays.hashCode(ids) + name.hashCode();
  }

  @Override
  public String toString() {
    return "AttrEntry[" + name + ", ids=" + Arrays.toString(ids) + ", " + attr + "]";
  }
}
