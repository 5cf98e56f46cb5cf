using RtmpRelay.Logging;
using RtmpRelay.Options;
using RtmpRelay.Streams;

namespace RtmpRelay.Destinations;

/// <summary>
/// The one owner of a (stream, destination) pair's life. It attaches and detaches the destination's queue, runs
/// one <see cref="DestinationSession"/> attempt after another, waits out the backoff between failed ones, fails over
/// between the primary and backup URL, and moves the state; everything else asks it.
/// <code>
///            start / resume                 publish accepted
///   ┌──────────────────► connecting ────────────────────────► live
///   │                      │    ▲                              │
///   │               failed │    │ backoff over                 │ failed (closed, stalled, rejected ...)
///   │                      ▼    │                              │
///   │                    retrying ◄────────────────────────────┘
///   │  pause (any state but stopped) ──► paused ── resume ──► connecting
///   └── stream ended, removed from the configuration, relay stopping (any state) ──► stopped
/// </code>
/// </summary>
internal sealed class DestinationSupervisor
{
    public const string StreamEndedReason = "the stream ended";

    /// <summary>Destinations attached before createStream answers assume stream id 1, as every server known answers.</summary>
    private const uint AssumedStreamId = 1;

    private readonly LiveStream _stream;
    private readonly RelayConfiguration _configuration;
    private readonly IDestinationDialer _dialer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly Lock _gate = new();
    private DestinationSubscriber? _subscriber;
    private DestinationSession? _session;
    private CancellationTokenSource? _waiting;
    private TaskCompletionSource? _resumed;
    private bool _pauseRequested;
    private string? _stopReason;
    private long _droppedBefore;
    private long _bytesBefore;
    private long _liveSince = -1;
    private CancellationTokenRegistration _endedRegistration;

    public DestinationSupervisor(LiveStream stream, DestinationSpec spec, RelayConfiguration configuration, IDestinationDialer dialer,
        TimeProvider time, ILogger logger, Random? random = null)
    {
        _stream = stream;
        Spec = spec;
        _configuration = configuration;
        _dialer = dialer;
        _time = time;
        _logger = logger;
        _random = random ?? Random.Shared;
        StateSince = time.GetUtcNow();
    }

    public DestinationSpec Spec { get; }
    public DestinationState State { get; private set; } = DestinationState.Connecting;
    public DateTimeOffset StateSince { get; private set; }

    /// <summary>Why the last attempt failed (kept after a later success, for the record); null before any failure.</summary>
    public DestinationFailure? LastFailure { get; private set; }

    /// <summary>Attempts made after a failure.</summary>
    public int Reconnects { get; private set; }

    /// <summary>Whether attempts currently go to the backup URL.</summary>
    public bool OnBackup { get; private set; }

    /// <summary>Media messages dropped for this destination because it fell behind.</summary>
    public long DroppedMessages
    {
        get
        {
            lock (_gate)
            {
                return _droppedBefore + (_subscriber?.Queue.DroppedMessages ?? 0);
            }
        }
    }

    /// <summary>Bytes written to the destination, every attempt counted.</summary>
    public long BytesSent
    {
        get
        {
            lock (_gate)
            {
                return _bytesBefore + (_session?.BytesSent ?? 0);
            }
        }
    }

    /// <summary>How far behind the stream the destination is, in stream time (0 when its queue is empty).</summary>
    public long LagMilliseconds
    {
        get
        {
            lock (_gate)
            {
                return _subscriber?.Queue.LagMilliseconds ?? 0;
            }
        }
    }

    /// <summary>The URL of the current (or last) attempt, its stream key hidden; null before the first.</summary>
    public string? RedactedUrl { get; private set; }

    /// <summary>Completes when the destination is stopped.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    private string StreamKey => _stream.Key.ToString();

    /// <summary>
    /// Attaches the destination's queue at once (on the caller's thread, so nothing published from now on is missed)
    /// and starts the attempts, after <paramref name="after"/> (the destination this one replaces) has stopped.
    /// </summary>
    public void Start(Task? after = null)
    {
        _endedRegistration = _stream.Ended.Register(static s => ((DestinationSupervisor)s!).Stop(StreamEndedReason), this);
        lock (_gate)
        {
            Attach(AssumedStreamId);
        }
        Completion = RunAsync(after);
    }

    /// <summary>Stops pushing (cleanly, if live) while the stream goes on; <see cref="Resume"/> starts again.</summary>
    public void Pause()
    {
        lock (_gate)
        {
            if (_stopReason is not null)
            {
                return;
            }
            _pauseRequested = true;
            Unsubscribe();
            _session?.Goodbye("paused", abandonSetup: true);
            _waiting?.Cancel();
        }
    }

    public void Resume()
    {
        lock (_gate)
        {
            _pauseRequested = false;
            _resumed?.TrySetResult();
        }
    }

    /// <summary>Stops for good: a live destination gets what is queued, then FCUnpublish and deleteStream.</summary>
    public void Stop(string reason)
    {
        lock (_gate)
        {
            if (_stopReason is not null)
            {
                return;
            }
            _stopReason = reason;
            // At the end of the stream what is queued still goes out, even to a destination that is still connecting.
            var streamEnded = reason == StreamEndedReason;
            if (!streamEnded)
            {
                Unsubscribe();
            }
            _session?.Goodbye(reason, abandonSetup: !streamEnded);
            _waiting?.Cancel();
            _resumed?.TrySetResult();
        }
    }

    private async Task RunAsync(Task? after)
    {
        await Task.Yield(); // off the publisher's read loop
        if (after is not null)
        {
            await after.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        var failures = 0; // consecutive, for the backoff
        var urlFailures = 0; // consecutive on the current URL, for the failover
        try
        {
            while (true)
            {
                Task? resumed = null;
                DestinationSession? session = null;
                var options = _configuration.Current.Options;
                DestinationUrl? url = null;
                lock (_gate)
                {
                    if (_stopReason is not null)
                    {
                        break;
                    }
                    if (_pauseRequested)
                    {
                        Detach();
                        SetState(DestinationState.Paused);
                        _resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        resumed = _resumed.Task;
                    }
                    else if (!TryGetUrl(out url))
                    {
                        _stopReason = "invalid URL";
                        break;
                    }
                    else
                    {
                        _liveSince = -1;
                        SetState(DestinationState.Connecting);
                        if (_subscriber is null && !Attach(AssumedStreamId))
                        {
                            break;
                        }
                        session = new DestinationSession(url, Spec, _stream, options, _dialer, _time, _logger, _subscriber!, Resubscribe, OnLive);
                        RedactedUrl = url.Redacted;
                        _session = session;
                    }
                }
                if (resumed is not null)
                {
                    await resumed;
                    continue;
                }

                DestinationLog.Connecting(_logger, StreamKey, Spec.Name, url!.Redacted);
                DestinationFailure? failure = null;
                try
                {
                    var reason = await session!.RunAsync();
                    DestinationLog.Closed(_logger, StreamKey, Spec.Name, reason, DroppedMessages);
                }
                catch (DestinationFailureException ex)
                {
                    failure = ex.Failure;
                }
                finally
                {
                    lock (_gate)
                    {
                        _bytesBefore += session!.BytesSent;
                        _session = null;
                        Detach();
                        LastFailure = failure ?? LastFailure;
                    }
                }
                if (failure is null)
                {
                    continue; // a clean end: stopped, paused, or the stream ended
                }
                if (Volatile.Read(ref _stopReason) is not null)
                {
                    DestinationLog.Closed(_logger, StreamKey, Spec.Name, failure.ToString(), DroppedMessages);
                    continue; // nothing left to retry for
                }
                var delay = NextDelay(failure, options.Destinations.Retry, ref failures, ref urlFailures);
                Task waiting;
                lock (_gate)
                {
                    if (_stopReason is not null)
                    {
                        break;
                    }
                    if (_pauseRequested)
                    {
                        continue;
                    }
                    _waiting = new CancellationTokenSource();
                    waiting = Task.Delay(delay, _time, _waiting.Token); // armed before the state says so
                    SetState(DestinationState.Retrying);
                }
                await waiting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                lock (_gate)
                {
                    _waiting!.Dispose();
                    _waiting = null;
                    Reconnects++;
                }
            }
        }
        catch (Exception ex)
        {
            DestinationLog.Unexpected(_logger, StreamKey, Spec.Name, ex);
        }
        finally
        {
            await _endedRegistration.DisposeAsync();
            lock (_gate)
            {
                _session = null;
                Detach();
                SetState(DestinationState.Stopped);
            }
            DestinationLog.Stopped(_logger, StreamKey, Spec.Name, _stopReason ?? "stopped");
        }
    }

    /// <summary>Counts the failure, fails over when due, logs it, and says how long to wait.</summary>
    private TimeSpan NextDelay(DestinationFailure failure, RetryOptions retry, ref int failures, ref int urlFailures)
    {
        var liveSince = Volatile.Read(ref _liveSince);
        if (liveSince >= 0)
        {
            // It worked: the next failure is a new story for the failover, and for the backoff too if it lasted.
            urlFailures = 0;
            if (_time.GetElapsedTime(liveSince) >= retry.MaxDelay)
            {
                failures = 0;
            }
        }
        failures++;
        urlFailures++;
        if (Spec.BackupUrl is not null && urlFailures >= Spec.FailoverAfter)
        {
            OnBackup = !OnBackup;
            urlFailures = 0;
            DestinationLog.FailingOver(_logger, StreamKey, Spec.Name, failures, OnBackup ? "backup" : "primary");
        }
        var delay = RetryBackoff.Delay(retry, failure.Kind, failures, _random);
        if (failure.Kind == DestinationFailureKind.Rejected)
        {
            DestinationLog.Rejected(_logger, StreamKey, Spec.Name, failure.Detail, failure.Code, failure.Description, (long)delay.TotalMilliseconds);
        }
        else
        {
            DestinationLog.Failed(_logger, StreamKey, Spec.Name, failure.ToString(), (long)delay.TotalMilliseconds);
        }
        return delay;
    }

    private void OnLive()
    {
        lock (_gate)
        {
            Volatile.Write(ref _liveSince, _time.GetTimestamp());
            if (_session is not null)
            {
                SetState(DestinationState.Live);
            }
        }
    }

    private bool TryGetUrl(out DestinationUrl url)
    {
        var template = OnBackup ? Spec.BackupUrl! : Spec.Url;
        if (DestinationUrl.TryParse(DestinationUrl.Expand(template, _stream.Key.Application, _stream.Key.Name), out url, out var error))
        {
            return true;
        }
        // The template is valid (validated with a sample name), so the stream's own name broke it.
        LastFailure = new DestinationFailure(DestinationFailureKind.ProtocolError, $"invalid destination URL for this stream: {error}");
        DestinationLog.InvalidUrl(_logger, StreamKey, Spec.Name, error);
        return false;
    }

    /// <summary>createStream answered another id than assumed: a new queue, chunked for that id, from the next keyframe.</summary>
    private DestinationSubscriber Resubscribe(uint streamId)
    {
        lock (_gate)
        {
            Detach();
            Attach(streamId);
            return _subscriber!;
        }
    }

    /// <summary>Joins the stream's fan-out (under the gate). False when the stream has ended.</summary>
    private bool Attach(uint streamId)
    {
        var options = _configuration.Current.Options;
        _subscriber = new DestinationSubscriber(streamId, options.SendQueueBytes, options.Limits.MaxDroppedGops, () => Stop(StreamEndedReason));
        return _stream.Attach(_subscriber);
    }

    /// <summary>Leaves the fan-out but keeps what is queued, for a clean goodbye after it (under the gate).</summary>
    private void Unsubscribe()
    {
        if (_subscriber is not null)
        {
            _stream.Detach(_subscriber);
        }
    }

    /// <summary>The one place a destination leaves the stream: out of the fan-out, its queue released (under the gate).</summary>
    private void Detach()
    {
        if (_subscriber is null)
        {
            return;
        }
        _stream.Detach(_subscriber);
        _subscriber.Queue.Clear();
        _droppedBefore += _subscriber.Queue.DroppedMessages;
        _subscriber = null;
    }

    private void SetState(DestinationState state)
    {
        if (State == state)
        {
            return;
        }
        State = state;
        StateSince = _time.GetUtcNow();
        DestinationLog.StateChanged(_logger, StreamKey, Spec.Name, state.ToName());
    }
}
