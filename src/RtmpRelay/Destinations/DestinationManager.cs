using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using RtmpRelay.Logging;
using RtmpRelay.Options;
using RtmpRelay.Protocol;
using RtmpRelay.Streams;

namespace RtmpRelay.Destinations;

/// <summary>
/// Starts a push for every destination of a stream's application when the stream goes live, keeps each one
/// connected (retrying every RetryDelay) while the stream lives, and stops them at shutdown. Each destination
/// runs on its own: one failing never touches the publisher or the others.
/// </summary>
internal sealed class DestinationManager : IHostedService
{
    /// <summary>Destinations created before createStream answers assume stream id 1, as every server known answers.</summary>
    private const uint AssumedStreamId = 1;

    private readonly StreamRegistry _registry;
    private readonly IOptionsMonitor<RelayOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DestinationManager> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    public DestinationManager(StreamRegistry registry, IOptionsMonitor<RelayOptions> options, TimeProvider time, ILogger<DestinationManager> logger)
    {
        _registry = registry;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registry.Published += OnPublished;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _registry.Published -= OnPublished;
        await _stopping.CancelAsync();
        await Task.WhenAll(_running.Keys).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Runs on the publisher's read loop, before any media: each destination's queue starts with the stream.</summary>
    private void OnPublished(LiveStream stream)
    {
        var options = _options.CurrentValue;
        if (!options.Applications.TryGetValue(stream.Key.Application, out var application))
        {
            return;
        }
        foreach (var (name, destination) in application.Destinations)
        {
            if (!destination.Enabled)
            {
                continue;
            }
            var expanded = DestinationUrl.Expand(destination.Url, stream.Key.Application, stream.Key.Name);
            if (!DestinationUrl.TryParse(expanded, out var url, out var error))
            {
                DestinationLog.InvalidUrl(_logger, stream.Key.ToString(), name, error);
                continue;
            }
            var first = new DestinationSubscriber(AssumedStreamId, options.SendQueueBytes);
            stream.Attach(first);
            var task = PushAsync(stream, name, url, destination, options, first);
            _running.TryAdd(task, 0);
            _ = task.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task PushAsync(LiveStream stream, string name, DestinationUrl url, DestinationOptions destination, RelayOptions options, DestinationSubscriber subscriber)
    {
        await Task.Yield(); // off the publisher's read loop
        var key = stream.Key.ToString();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, stream.Ended);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                DestinationLog.Connecting(_logger, key, name, url.Redacted);
                var session = new DestinationSession(url, destination, stream, name, options, _time, _logger);
                try
                {
                    var reason = await session.RunAsync(subscriber, _stopping.Token);
                    subscriber = session.Subscriber!;
                    DestinationLog.Closed(_logger, key, name, reason, subscriber.Queue.DroppedMessages);
                    return;
                }
                catch (Exception ex) when (ex is RtmpProtocolException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
                {
                    subscriber = session.Subscriber!;
                    stream.Detach(subscriber);
                    subscriber.Queue.Clear();
                    if (stop.IsCancellationRequested)
                    {
                        DestinationLog.Closed(_logger, key, name, stream.IsEnded ? "the stream ended" : "relay shutting down", subscriber.Queue.DroppedMessages);
                        return;
                    }
                    DestinationLog.Failed(_logger, key, name, ex.Message, options.Destinations.RetryDelay.TotalSeconds);
                }
                await Task.Delay(options.Destinations.RetryDelay, _time, stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                subscriber = new DestinationSubscriber(AssumedStreamId, options.SendQueueBytes);
                if (stop.IsCancellationRequested || !stream.Attach(subscriber))
                {
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            DestinationLog.Unexpected(_logger, key, name, ex);
        }
        finally
        {
            stream.Detach(subscriber);
        }
    }
}
