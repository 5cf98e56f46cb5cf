using System.Globalization;

namespace RtmpRelay.LoadTest;

/// <summary>Command-line options, each with its default; <see cref="Usage"/> is what --help prints.</summary>
internal sealed class LoadTestOptions
{
    public const string Usage = """
        rtmprelay-loadtest: K publishers replay an FLV into an RTMP relay, which pushes every stream to N counting
        sinks run by this tool; reports the relay's CPU-seconds per GB delivered, resident memory, memory per idle
        connection, added latency (p50/p99) and dropped messages. Ends with one line "RESULT {json}".

        Usage: rtmprelay-loadtest --flv FILE [options]

          --flv FILE                 FLV to replay (H.264/AAC; e.g. made with ffmpeg). Required.
          --target URL               Relay under test, rtmp://host[:port]/app. Default rtmp://127.0.0.1:1935/live
          --publishers K             Publishers, each on stream PREFIX0..PREFIX(K-1). Default 1
          --stream-prefix PREFIX     Stream name prefix. Default load
          --destinations N           Counting sinks, on ports P..P+N-1. Default 2
          --sink-port P              First sink port (127.0.0.1): sinks on P..P+N-1. Default 0: free ports.
          --no-sinks                 Start no sinks (the relay pushes elsewhere, e.g. to nginx-rtmp); delivered
                                     bytes are then estimated as published bytes x N; no latency or drops.
          --duration SECONDS         Measured time. Default 30
          --warmup SECONDS           Time before measuring (publishers start, destinations connect). Default 3
          --stagger SECONDS          Publisher starts spread over this time (keyframes not aligned). Default 2
          --fast                     Send as fast as the relay takes it instead of in real time.
          --tick-ms MS               Real-time pacing period. Default 5
          --pid PID                  Relay process to sample (/proc/PID). Default: the one --relay-dll starts;
                                     without either, CPU and memory are not reported.
          --relay-dll PATH           Start the relay: dotnet PATH in a temporary folder, with a plain RTMP endpoint
                                     on the target's port and the sinks as destinations; stopped at the end.
          --relay-arg ARG            Extra argument for the started relay (repeatable).
          --idle-connections M       Before the load, open M connections that only handshake and connect, and
                                     report RSS growth / M. Default 0 (skipped).
          --drain-timeout SECONDS    After the load, wait at most this long for in-flight messages. Default 10
          --label NAME               Name of the relay in the report and JSON. Default relay
          --print-relay-args         Print the RtmpRelay arguments that make it push to the sinks, and exit.
          --help                     This text.

        Example (RtmpRelay started by the tool, 10 publishers x 2 destinations, 30 s):
          rtmprelay-loadtest --flv input.flv --relay-dll src/RtmpRelay/bin/Release/net10.0/RtmpRelay.dll \
            --target rtmp://127.0.0.1:19350/live --publishers 10 --destinations 2 --duration 30
        """;

    public string FlvPath { get; private set; } = "";
    public RtmpTarget Target { get; private set; } = new("127.0.0.1", 1935, "live");
    public int Publishers { get; private set; } = 1;
    public string StreamPrefix { get; private set; } = "load";
    public int Destinations { get; private set; } = 2;
    public int SinkPort { get; private set; }
    public bool NoSinks { get; private set; }
    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(30);
    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(3);
    public TimeSpan Stagger { get; private set; } = TimeSpan.FromSeconds(2);
    public bool Fast { get; private set; }
    public TimeSpan Tick { get; private set; } = TimeSpan.FromMilliseconds(5);
    public int Pid { get; private set; }
    public string? RelayDll { get; private set; }
    public List<string> RelayArgs { get; } = [];
    public int IdleConnections { get; private set; }
    public TimeSpan DrainTimeout { get; private set; } = TimeSpan.FromSeconds(10);
    public string Label { get; private set; } = "relay";
    public bool PrintRelayArgs { get; private set; }
    public bool Help { get; private set; }

    /// <summary>The RtmpRelay command-line arguments for destination d{i} = the sink on <paramref name="sinkPorts"/>[i], keeping the stream name.</summary>
    public IEnumerable<string> RelayDestinationArgs(IReadOnlyList<int> sinkPorts) =>
        sinkPorts.Select((port, i) =>
            $"--Relay:Applications:{Target.App}:Destinations:d{i}:Url=rtmp://127.0.0.1:{port}/{Target.App}/{{stream}}");

    /// <exception cref="ArgumentException">An unknown option or a bad value.</exception>
    public static LoadTestOptions Parse(string[] args)
    {
        var options = new LoadTestOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            int Int(int min) => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min
                ? v : throw new ArgumentException($"{name} needs a whole number >= {min}");
            TimeSpan Seconds() => double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0
                ? TimeSpan.FromSeconds(v) : throw new ArgumentException($"{name} needs a number of seconds");
            switch (name)
            {
                case "--flv": options.FlvPath = Value(); break;
                case "--target": options.Target = RtmpTarget.Parse(Value()); break;
                case "--publishers": options.Publishers = Int(1); break;
                case "--stream-prefix": options.StreamPrefix = Value(); break;
                case "--destinations": options.Destinations = Int(1); break;
                case "--sink-port": options.SinkPort = Int(1); break;
                case "--no-sinks": options.NoSinks = true; break;
                case "--duration": options.Duration = Seconds(); break;
                case "--warmup": options.Warmup = Seconds(); break;
                case "--stagger": options.Stagger = Seconds(); break;
                case "--fast": options.Fast = true; break;
                case "--tick-ms": options.Tick = TimeSpan.FromMilliseconds(Int(1)); break;
                case "--pid": options.Pid = Int(1); break;
                case "--relay-dll": options.RelayDll = Value(); break;
                case "--relay-arg": options.RelayArgs.Add(Value()); break;
                case "--idle-connections": options.IdleConnections = Int(0); break;
                case "--drain-timeout": options.DrainTimeout = Seconds(); break;
                case "--label": options.Label = Value(); break;
                case "--print-relay-args": options.PrintRelayArgs = true; break;
                case "--help" or "-h": options.Help = true; break;
                default: throw new ArgumentException($"unknown option {name} (see --help)");
            }
        }
        if (!options.Help && !options.PrintRelayArgs && options.FlvPath.Length == 0)
        {
            throw new ArgumentException("--flv FILE is required (see --help)");
        }
        if (options.PrintRelayArgs && options.SinkPort == 0)
        {
            throw new ArgumentException("--print-relay-args needs --sink-port");
        }
        if (options.Publishers > ushort.MaxValue)
        {
            throw new ArgumentException($"at most {ushort.MaxValue} publishers");
        }
        if (options.Stagger > options.Warmup)
        {
            options.Stagger = options.Warmup; // every publisher must be streaming before the window opens
        }
        return options;
    }
}
