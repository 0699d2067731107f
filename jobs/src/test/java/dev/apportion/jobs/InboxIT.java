package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file still being written into the inbox is taken only once it settles, whole. */
class InboxIT {
    @TempDir
    Path directory;

    @Test
    void ingest_growingFile_waitsUntilItSettlesAndReadsAllOfIt() throws Exception {
        TestHome test = TestHome.init(directory);
        Path config = test.home.config();
        Files.writeString(config, Files.readString(config).replace("settle_seconds: 0", "settle_seconds: 2"));
        Path file = test.home.inbox().resolve("requests.csv");
        Files.writeString(file, "request_id,occurred_at,provider,model,input_tokens,output_tokens\n");
        int rows = 8;
        Thread writer = new Thread(() -> {
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
                for (int i = 0; i < rows; i++) {
                    Thread.sleep(250);
                    out.write("r" + i + ",2026-05-01T00:00:0" + i + "Z,openai,gpt-4o,10,1\n");
                    out.flush();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();

        assertThat(test.run("ingest", "--home", directory.toString())).as(test.lastErr).isZero();
        writer.join();

        assertThat(test.lastErr).contains("read " + rows + ", accepted " + rows);
    }
}
