using RtmpRelay.Protocol.Amf;

namespace RtmpRelay.LoadTest;

/// <summary>
/// Memory per idle connection: opens M connections that only do the handshake and connect (as a player or encoder
/// that has not started yet), and divides the relay's RSS growth by M. Done before the load, on a quiet relay.
/// </summary>
internal static class IdleConnectionProbe
{
    private const int Parallel = 32;

    /// <returns>Connections opened, RSS before and after (KiB).</returns>
    public static async Task<(int Opened, long RssBeforeKiB, long RssAfterKiB)> RunAsync(
        LoadTestOptions options, ProcessSampler sampler, CancellationToken cancellationToken)
    {
        var target = options.Target;
        var before = await SettledRssAsync(sampler, cancellationToken).ConfigureAwait(false);
        var channels = new List<RtmpChannel>(options.IdleConnections);
        var failures = 0;
        using var gate = new SemaphoreSlim(Parallel);
        var opening = Enumerable.Range(0, options.IdleConnections).Select(async i =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            RtmpChannel? channel = null;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                channel = await RtmpChannel.ConnectAsync(target.Host, target.Port, timeout.Token).ConfigureAwait(false);
                await channel.ClientHandshakeAsync(timeout.Token).ConfigureAwait(false);
                var connect = new AmfObject().Add("app", target.App).Add("type", "nonprivate")
                    .Add("flashVer", "FMLE/3.0 (compatible; rtmprelay-loadtest)").Add("tcUrl", target.TcUrl);
                await channel.CallAsync(0, "connect", 1, [connect], timeout.Token).ConfigureAwait(false);
                lock (channels)
                {
                    channels.Add(channel);
                }
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
            {
                Interlocked.Increment(ref failures);
                if (channel is not null)
                {
                    await channel.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(opening).ConfigureAwait(false);
        var after = await SettledRssAsync(sampler, cancellationToken).ConfigureAwait(false);
        if (failures > 0)
        {
            Console.Error.WriteLine($"idle probe: {failures} of {options.IdleConnections} connections failed");
        }
        foreach (var channel in channels)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false); // let the relay close them
        return (channels.Count, before, after);
    }

    /// <summary>RSS once it stops moving (three samples 300 ms apart within 64 KiB), at most 3 s.</summary>
    private static async Task<long> SettledRssAsync(ProcessSampler sampler, CancellationToken cancellationToken)
    {
        var last = sampler.Sample().RssKiB;
        for (var i = 0; i < 10; i++)
        {
            await Task.Delay(300, cancellationToken).ConfigureAwait(false);
            var now = sampler.Sample().RssKiB;
            if (Math.Abs(now - last) < 64)
            {
                return now;
            }
            last = now;
        }
        return last;
    }
}
