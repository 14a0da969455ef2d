package dev.squall.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Text files given on the command line: UTF-8, read whole; a missing file or bytes that are not UTF-8 are an error naming the flag, the file and the offset. */
public final class TextFiles {

    private TextFiles() {}

    /** The text of {@code file}, given as {@code flag}. */
    public static String read(Path file, String flag) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(flag + " " + file + ": no such file");
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        var result = utf8.decode(in, out, true);
        if (result.isError()) {
            throw new IllegalArgumentException(flag + " " + file + ": not UTF-8 text (byte 0x" + Integer.toHexString(bytes[in.position()] & 0xFF)
                    + " at offset " + in.position() + ")");
        }
        utf8.flush(out);
        return out.flip().toString();
    }

}
