using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RtmpRelay.LoadTest;

/// <summary>The figures of one run, printed as a short table and as one JSON line ("RESULT {...}") for scripts.</summary>
internal sealed class LoadReport
{
    /// <summary>CPU per GB uses 10^9 bytes, counted as they arrive at the destinations (chunk headers included).</summary>
    public const double BytesPerGB = 1e9;

    public required string Label { get; init; }
    public required int Publishers { get; init; }
    public required int Destinations { get; init; }
    public required bool Fast { get; init; }
    public required double InputBitRate { get; init; }
    public required double MeasuredSeconds { get; init; }
    public required long PublishedBytes { get; init; }
    public required long DeliveredBytes { get; init; }
    public required bool DeliveredEstimated { get; init; }
    public ProcessSample? Before { get; init; }
    public ProcessSample? After { get; init; }
    public required long Sent { get; init; }
    public required long Received { get; init; }
    public required long Expected { get; init; }
    public required LatencyHistogram Latency { get; init; }
    public required int Errors { get; init; }
    public int IdleConnections { get; init; }
    public long IdleRssBeforeKiB { get; init; }
    public long IdleRssAfterKiB { get; init; }

    public double? CpuSeconds => Before is { } b && After is { } a ? a.CpuSeconds - b.CpuSeconds : null;
    public double? CpuSecondsPerGB => CpuSeconds is { } cpu && DeliveredBytes > 0 ? cpu / (DeliveredBytes / BytesPerGB) : null;
    public long Dropped => Expected - Received;
    public double? IdleKiBPerConnection => IdleConnections > 0 ? (IdleRssAfterKiB - IdleRssBeforeKiB) / (double)IdleConnections : null;

    public void PrintTable(TextWriter output)
    {
        var ci = CultureInfo.InvariantCulture;
        string Mb(long bytes) => (bytes / 1e6).ToString("0.0", ci) + " MB";
        string Mib(long kib) => (kib / 1024.0).ToString("0.0", ci) + " MiB";
        output.WriteLine($"{Label}: {Publishers} publishers x {Destinations} destinations, {(Fast ? "as fast as possible" : "real time")}, input {(InputBitRate / 1e6).ToString("0.00", ci)} Mbit/s, {MeasuredSeconds.ToString("0.0", ci)} s measured");
        output.WriteLine($"  published     {Mb(PublishedBytes)} ({(PublishedBytes * 8 / MeasuredSeconds / 1e6).ToString("0.0", ci)} Mbit/s in)");
        output.WriteLine($"  delivered     {Mb(DeliveredBytes)} ({(DeliveredBytes * 8 / MeasuredSeconds / 1e6).ToString("0.0", ci)} Mbit/s out){(DeliveredEstimated ? ", estimated (no sinks)" : "")}");
        if (CpuSeconds is { } cpu)
        {
            output.WriteLine($"  relay CPU     {cpu.ToString("0.00", ci)} s ({(cpu / MeasuredSeconds * 100).ToString("0", ci)} % of one core) = {CpuSecondsPerGB?.ToString("0.00", ci) ?? "n/a"} CPU-s/GB delivered");
            output.WriteLine($"  relay RSS     {Mib(Before!.Value.RssKiB)} before, {Mib(After!.Value.RssKiB)} after, {Mib(After.Value.PeakRssKiB)} peak (from the publishers' start)");
        }
        else
        {
            output.WriteLine("  relay CPU     not sampled (give --pid or --relay-dll)");
        }
        if (!DeliveredEstimated)
        {
            output.WriteLine($"  latency       p50 {Ms(Latency.Percentile(50))}, p99 {Ms(Latency.Percentile(99))}, max {Ms(Latency.MaxMicroseconds)} ({Latency.Count} frames)");
            output.WriteLine($"  dropped       {Dropped} of {Expected} frames ({Sent} sent x {Destinations} destinations, {Received} received)");
        }
        if (IdleKiBPerConnection is { } perConnection)
        {
            output.WriteLine($"  idle conns    {IdleConnections}: {Mib(IdleRssBeforeKiB)} -> {Mib(IdleRssAfterKiB)}, {perConnection.ToString("0.0", ci)} KiB each");
        }
        if (Errors > 0)
        {
            output.WriteLine($"  errors        {Errors} connections failed (see above)");
        }
    }

    private static string Ms(double microseconds) => (microseconds / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " ms";

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("label", Label);
            json.WriteNumber("publishers", Publishers);
            json.WriteNumber("destinations", Destinations);
            json.WriteBoolean("fast", Fast);
            json.WriteNumber("input_mbps", Math.Round(InputBitRate / 1e6, 3));
            json.WriteNumber("measured_s", Math.Round(MeasuredSeconds, 3));
            json.WriteNumber("published_bytes", PublishedBytes);
            json.WriteNumber("delivered_bytes", DeliveredBytes);
            json.WriteBoolean("delivered_estimated", DeliveredEstimated);
            WriteNullable(json, "cpu_s", CpuSeconds, 3);
            WriteNullable(json, "cpu_s_per_gb", CpuSecondsPerGB, 3);
            WriteNullable(json, "rss_before_kib", Before?.RssKiB);
            WriteNullable(json, "rss_after_kib", After?.RssKiB);
            WriteNullable(json, "rss_peak_kib", After?.PeakRssKiB);
            json.WriteNumber("sent", Sent);
            json.WriteNumber("expected", Expected);
            json.WriteNumber("received", Received);
            json.WriteNumber("dropped", Dropped);
            json.WriteNumber("latency_samples", Latency.Count);
            json.WriteNumber("latency_p50_ms", Math.Round(Latency.Percentile(50) / 1000, 3));
            json.WriteNumber("latency_p99_ms", Math.Round(Latency.Percentile(99) / 1000, 3));
            json.WriteNumber("latency_max_ms", Math.Round(Latency.MaxMicroseconds / 1000.0, 3));
            json.WriteNumber("idle_connections", IdleConnections);
            WriteNullable(json, "idle_kib_per_connection", IdleKiBPerConnection, 2);
            json.WriteNumber("errors", Errors);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, double? value, int digits)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, Math.Round(v, digits));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
