using System.Diagnostics;
using System.Globalization;

namespace RtmpRelay.LoadTest;

/// <summary>
/// One run: sinks up, relay up (when the tool starts it), idle-connection probe, publishers connected, warm-up,
/// the measured window (CPU and bytes sampled at both ends), drain, report.
/// </summary>
internal static class LoadTestRun
{
    private const int ConnectParallelism = 16;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        var ci = CultureInfo.InvariantCulture;
        var file = FlvFile.Load(options.FlvPath);
        Console.WriteLine($"input: {file.Path}: {file.Media.Count} media tags, {(file.LoopDuration / 1000.0).ToString("0.0", ci)} s per loop, {(file.BitRate / 1e6).ToString("0.00", ci)} Mbit/s");

        var sinks = new List<CountingSink>();
        var publishers = new List<Publisher>();
        RelayLauncher? relay = null;
        try
        {
            if (!options.NoSinks)
            {
                for (var i = 0; i < options.Destinations; i++)
                {
                    var sink = new CountingSink(i, options.SinkPort == 0 ? 0 : options.SinkPort + i, options.Publishers);
                    sink.Start();
                    sinks.Add(sink);
                }
                Console.WriteLine($"sinks: {string.Join(", ", sinks.Select(s => $"127.0.0.1:{s.Port}"))}");
            }
            if (options.RelayDll is not null)
            {
                relay = await RelayLauncher.StartAsync(options, sinks.Select(s => s.Port).ToArray(), cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"relay: started, pid {relay.Pid}, log {relay.Directory}/relay.log");
            }
            var pid = options.Pid > 0 ? options.Pid : relay?.Pid ?? 0;
            var sampler = pid > 0 ? new ProcessSampler(pid) : null;
            if (sampler is { IsAlive: false })
            {
                throw new InvalidOperationException($"no process {pid} to sample");
            }

            (int Opened, long Before, long After) idle = default;
            if (options.IdleConnections > 0)
            {
                if (sampler is null)
                {
                    Console.Error.WriteLine("idle probe skipped: no relay process to sample (--pid or --relay-dll)");
                }
                else
                {
                    idle = await IdleConnectionProbe.RunAsync(options, sampler, cancellationToken).ConfigureAwait(false);
                    Console.WriteLine($"idle probe: {idle.Opened} connections, RSS {idle.Before} -> {idle.After} KiB");
                }
            }

            if (sampler is not null && !sampler.ResetPeak())
            {
                Console.Error.WriteLine("could not reset the relay's peak RSS: the peak reported includes the idle probe");
            }
            var window = new MeasurementWindow();
            for (var i = 0; i < options.Publishers; i++)
            {
                publishers.Add(new Publisher(i, file, options, window));
            }
            await ConnectAllAsync(publishers, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"publishers: {publishers.Count} publishing to {options.Target.TcUrl}/{options.StreamPrefix}N");

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var streaming = publishers.Select((p, i) => p.StreamAsync(options.Stagger * i / options.Publishers, stop.Token)).ToArray();
            await Task.Delay(options.Warmup, cancellationToken).ConfigureAwait(false);

            var before = sampler?.Sample();
            var deliveredBefore = Delivered(sinks);
            var publishedBefore = publishers.Sum(p => p.BytesSent);
            var clock = Stopwatch.StartNew();
            window.Start();
            await ProgressAsync(options, sinks, sampler, clock, cancellationToken).ConfigureAwait(false);
            window.Stop();
            var measured = clock.Elapsed.TotalSeconds;
            var publishedAfter = publishers.Sum(p => p.BytesSent);
            stop.Cancel();
            try
            {
                await Task.WhenAll(streaming).WaitAsync(options.DrainTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Console.Error.WriteLine("some publishers are still blocked sending: the relay stopped reading");
            }

            var sent = publishers.Sum(p => p.MeasuredSent);
            var expected = sent * options.Destinations;
            var received = await DrainAsync(options, sinks, publishers.Count, expected, cancellationToken).ConfigureAwait(false);
            var after = sampler?.Sample();
            var deliveredAfter = Delivered(sinks);

            var named = sinks.SelectMany(s => s.Sessions).FirstOrDefault(s => s.StreamName is not null);
            if (named is not null)
            {
                Console.WriteLine($"destinations: {sinks.Sum(s => s.Sessions.Length)} connections; stream names as published there, e.g. '{named.StreamName}'");
            }
            var latency = new LatencyHistogram();
            var errors = 0;
            foreach (var session in sinks.SelectMany(s => s.Sessions))
            {
                latency.Merge(session.Latency);
                if (session.Error is not null)
                {
                    errors++;
                    Console.Error.WriteLine($"sink session {session.StreamName}: {session.Error}");
                }
            }
            foreach (var publisher in publishers.Where(p => p.Error is not null))
            {
                errors++;
                Console.Error.WriteLine($"publisher {publisher.Error}");
            }
            var published = publishedAfter - publishedBefore;
            var report = new LoadReport
            {
                Label = options.Label,
                Publishers = options.Publishers,
                Destinations = options.Destinations,
                Fast = options.Fast,
                InputBitRate = file.BitRate,
                MeasuredSeconds = measured,
                PublishedBytes = published,
                DeliveredBytes = options.NoSinks ? published * options.Destinations : deliveredAfter - deliveredBefore,
                DeliveredEstimated = options.NoSinks,
                Before = before,
                After = after,
                Sent = sent,
                Expected = options.NoSinks ? 0 : expected,
                Received = received,
                Latency = latency,
                Errors = errors,
                IdleConnections = idle.Opened,
                IdleRssBeforeKiB = idle.Before,
                IdleRssAfterKiB = idle.After,
            };
            report.PrintTable(Console.Out);
            Console.WriteLine("RESULT " + report.ToJson());
            return errors == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var publisher in publishers)
            {
                await publisher.DisposeAsync().ConfigureAwait(false);
            }
            foreach (var sink in sinks)
            {
                await sink.DisposeAsync().ConfigureAwait(false);
            }
            if (relay is not null)
            {
                await relay.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task ConnectAllAsync(List<Publisher> publishers, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(ConnectParallelism);
        await Task.WhenAll(publishers.Select(async publisher =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(15));
                await publisher.ConnectAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException
                                           or RtmpRelay.Protocol.RtmpProtocolException)
            {
                throw new IOException($"publisher {publisher.StreamName} could not start: {ex.Message}", ex);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Waits out the measured duration, printing throughput and relay CPU every few seconds (to stderr).</summary>
    private static async Task ProgressAsync(LoadTestOptions options, List<CountingSink> sinks, ProcessSampler? sampler, Stopwatch clock, CancellationToken cancellationToken)
    {
        var ci = CultureInfo.InvariantCulture;
        var lastBytes = Delivered(sinks);
        var lastCpu = sampler?.Sample().CpuSeconds ?? 0;
        var lastTime = clock.Elapsed;
        while (clock.Elapsed < options.Duration)
        {
            var wait = options.Duration - clock.Elapsed;
            await Task.Delay(wait < ProgressInterval ? wait : ProgressInterval, cancellationToken).ConfigureAwait(false);
            var now = clock.Elapsed;
            var seconds = (now - lastTime).TotalSeconds;
            var bytes = Delivered(sinks);
            var cpu = sampler?.Sample().CpuSeconds ?? 0;
            if (seconds > 0.5)
            {
                Console.Error.WriteLine($"  {now.TotalSeconds.ToString("0", ci)} s: out {((bytes - lastBytes) * 8 / seconds / 1e6).ToString("0.0", ci)} Mbit/s"
                    + (sampler is null ? "" : $", relay CPU {((cpu - lastCpu) / seconds * 100).ToString("0", ci)} %"));
            }
            (lastBytes, lastCpu, lastTime) = (bytes, cpu, now);
        }
    }

    /// <summary>Waits until every frame sent in the window has arrived everywhere, nothing moved for 1 s, or the drain timeout.</summary>
    private static async Task<long> DrainAsync(LoadTestOptions options, List<CountingSink> sinks, int publishers, long expected, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var last = -1L;
        var quiet = Stopwatch.StartNew();
        while (true)
        {
            var received = Received(sinks, publishers);
            if (received >= expected || sinks.Count == 0 || clock.Elapsed >= options.DrainTimeout || quiet.Elapsed >= TimeSpan.FromSeconds(1))
            {
                return received;
            }
            if (received != last)
            {
                last = received;
                quiet.Restart();
            }
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private static long Delivered(List<CountingSink> sinks) => sinks.SelectMany(s => s.Sessions).Sum(s => s.BytesReceived);

    private static long Received(List<CountingSink> sinks, int publishers)
    {
        long total = 0;
        foreach (var session in sinks.SelectMany(s => s.Sessions))
        {
            for (var p = 0; p < publishers; p++)
            {
                total += session.MeasuredReceived(p);
            }
        }
        return total;
    }
}
