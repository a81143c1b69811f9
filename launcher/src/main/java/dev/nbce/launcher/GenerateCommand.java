package dev.nbce.launcher;

import dev.nbce.gateway.request.GenerationRequest;
import dev.nbce.gateway.request.GenerationResult;
import dev.nbce.gateway.request.RequestParser;
import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.launcher.config.Settings;
import dev.nbce.launcher.config.WorkerOptions;
import dev.nbce.launcher.local.LocalRuntime;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** nbce generate --request FILE.json [--model DIR] [--json]: the whole algorithm in one process. */
final class GenerateCommand implements Main.Command {
    @Override
    public String summary() {
        return "answer one request in this process (--request FILE.json|- [--model DIR] [--json] [--device D])";
    }

    @Override
    public int run(List<String> argv, Settings settings, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("request", "model", "device", "engines"), Set.of("json"));
        String file = args.get("request");
        if (file == null) {
            throw new CliArgs.UsageException("--request FILE.json is required (use - for standard input)");
        }
        GenerationRequest request = RequestParser.parse(read(file));
        boolean json = args.flag("json");
        int engines = args.integer("engines", 1, 1, 64);
        try (LocalRuntime runtime = new LocalRuntime(settings, ModelArgs.modelDir(args, settings), ModelArgs.device(args),
                WorkerOptions.decoder(settings), engines,
                GatewayLimits.DEFAULT)) {
            GenerationResult result = runtime.generate(request, token -> {
                if (!json) {
                    out.print(token.text());
                    out.flush();
                }
            });
            if (json) {
                out.println(result.toJson());
            } else {
                out.println();
            }
        }
        return 0;
    }

    private static byte[] read(String file) throws IOException {
        try {
            return file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new CliArgs.UsageException("request file not found: " + file);
        }
    }
}
