package dev.tracepoke.decode.image;

/**
 * A text-poke record whose old bytes are not what the image held just before it: the base image
 * was copied at another time than the records assume, or a record was lost.
 *
 * @param window index of the window whose old bytes disagree
 * @param address the first disagreeing byte
 * @param recordOld the byte the record says was there
 * @param imageHad the byte the base image or the previous write held (-1: not in the base image)
 */
public record ImageMismatch(int window, long address, int recordOld, int imageHad) {
  @Override
  public String toString() {
    return String.format("window %d: byte at 0x%x is 0x%02x in the record, %s in the image",
        window, address, recordOld, imageHad < 0 ? "absent" : String.format("0x%02x", imageHad));
  }
}
