namespace Pipeline.HeyGen.Emulator;

/// <summary>
/// The faults of one session's realtime websocket, part of <see cref="EmulatorFaults"/> (get them with
/// <see cref="EmulatorFaults.ForSession"/> or <see cref="Realtime.RealtimeSessionContext.Faults"/>). Thread-safe; change
/// them at any time: each is read when it applies (on connect, per message, per upgrade).
/// </summary>
public sealed class SessionFaults
{
    private int _dropAfterMessages;
    private int _malformedOnConnect;
    private int _unknownOnConnect;
    private int _rejectUpgradeStatus;
    private long _serverEventDelayTicks;

    /// <summary>
    /// Arms a one-shot drop: the socket is aborted (no close frame) right after the current connection has received
    /// this many client messages (the last one is still recorded). Null disarms it.
    /// </summary>
    public int? DropAfterMessages
    {
        get => NullIfZero(Volatile.Read(ref _dropAfterMessages));
        set => Volatile.Write(ref _dropAfterMessages, value ?? 0);
    }

    /// <summary>Messages that are not JSON sent right after each connect (before the state events).</summary>
    public int MalformedMessagesOnConnect
    {
        get => Volatile.Read(ref _malformedOnConnect);
        set => Volatile.Write(ref _malformedOnConnect, value);
    }

    /// <summary>Events of a type no client knows sent right after each connect.</summary>
    public int UnknownEventsOnConnect
    {
        get => Volatile.Read(ref _unknownOnConnect);
        set => Volatile.Write(ref _unknownOnConnect, value);
    }

    /// <summary>When set, websocket upgrades for this session are answered with this HTTP status (e.g. 503, 403) and no
    /// body, before the session's state is checked. Same effect as a status fault injected on the realtime endpoint,
    /// but for this session only and until cleared.</summary>
    public int? RejectUpgradeWithStatus
    {
        get => NullIfZero(Volatile.Read(ref _rejectUpgradeStatus));
        set => Volatile.Write(ref _rejectUpgradeStatus, value ?? 0);
    }

    /// <summary>Delay before each server message (not the close frame) is sent, on the session's <see cref="TimeProvider"/>.</summary>
    public TimeSpan ServerEventDelay
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _serverEventDelayTicks));
        set => Volatile.Write(ref _serverEventDelayTicks, value.Ticks);
    }

    /// <summary>True exactly once when <paramref name="received"/> reaches the armed drop count; disarms it.</summary>
    internal bool ConsumeDrop(int received)
    {
        var armed = Volatile.Read(ref _dropAfterMessages);
        return armed > 0 && received >= armed && Interlocked.CompareExchange(ref _dropAfterMessages, 0, armed) == armed;
    }

    private static int? NullIfZero(int value) => value == 0 ? null : value;
}
