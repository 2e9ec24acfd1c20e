namespace Pipeline.LiveKit.AvatarWorkers;

/// <summary>
/// Settings of a <see cref="LiveKitAvatarWorkerSessionFactory"/>: where the provider's avatar worker joins, the
/// project credentials that mint its token and remove it again, and the protocol's bounds. Validated when the factory
/// is created.
/// </summary>
/// <remarks><see cref="ApiKey"/> and <see cref="ApiSecret"/> are secrets: <see cref="ToString"/> and every error leave
/// them out.</remarks>
public sealed class LiveKitAvatarWorkerOptions
{
    /// <summary>The LiveKit server the worker joins (<c>wss://…</c>, or <c>ws://</c> for a local server): the agent's server.</summary>
    public Uri? LiveKitUrl { get; init; }

    /// <summary>The LiveKit project's API key (<c>LIVEKIT_API_KEY</c>): mints the worker's token and the RoomService admin token.</summary>
    public string? ApiKey { get; init; }

    /// <summary><b>Secret.</b> The LiveKit project's API secret (<c>LIVEKIT_API_SECRET</c>); signs the tokens, never logged.</summary>
    public string? ApiSecret { get; init; }

    /// <summary>LiveKit's server API address (RoomService); null for <see cref="LiveKitUrl"/> with ws→http, wss→https.</summary>
    public Uri? RoomServiceUrl { get; init; }

    /// <summary>How long the worker may take to join the room after it was dispatched (and to publish its video, with
    /// <see cref="WaitForWorkerVideo"/>). Default 20 s.</summary>
    public TimeSpan WorkerJoinTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Whether the session is ready only once the worker publishes a video track (as LiveKit Agents' avatar
    /// plugins wait); false: once it joined. Default true.</summary>
    public bool WaitForWorkerVideo { get; init; } = true;

    /// <summary>
    /// After an interruption, how long the worker may take to answer <c>lk.clear_buffer</c> and report the playback
    /// finished; after it the interrupted speech is taken as finished anyway, so a lost answer never leaves the avatar
    /// deaf. Default 2 s (as in LiveKit Agents).
    /// </summary>
    public TimeSpan ClearBufferTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How far ahead of real time speech may be streamed to the worker (its buffer), 20 ms to 10 s. Default 300 ms.</summary>
    public TimeSpan AudioLead { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// How long the worker's token is valid, at least <see cref="WorkerJoinTimeout"/>. Default 1 minute. It must outlast
    /// the join, not the session (the server refreshes a connected participant's token); kept short because a worker
    /// arriving after the session gave up on it (and removed it) would otherwise still be let in, and billed.
    /// </summary>
    public TimeSpan WorkerTokenTimeToLive { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Sample rate of the speech streamed to the worker, in Hz (8 000 to 48 000); null for the pipeline's output rate.</summary>
    public int? SpeechSampleRate { get; init; }

    /// <summary>How long closing waits for each step (ending the provider's session, removing the worker). Default 5 s.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The RoomService address in use: <see cref="RoomServiceUrl"/>, or the one derived from <see cref="LiveKitUrl"/>.</summary>
    internal Uri EffectiveRoomServiceUrl => RoomServiceUrl ?? LiveKitRoomService.HttpBaseFor(LiveKitUrl!);

    /// <summary>Checks every setting; the message names the setting and the fix, never a secret.</summary>
    /// <exception cref="ArgumentException">A setting is missing or out of range.</exception>
    internal void Validate()
    {
        if (LiveKitUrl is null || !LiveKitUrl.IsAbsoluteUri || LiveKitUrl.Scheme is not ("ws" or "wss"))
        {
            throw new ArgumentException(
                $"LiveKitAvatarWorkerOptions.LiveKitUrl must be the ws:// or wss:// address of the LiveKit server the worker joins (LIVEKIT_URL); got {(LiveKitUrl is null ? "none" : LiveKitUrl.IsAbsoluteUri ? LiveKitUrl.GetLeftPart(UriPartial.Path) : "a relative URL")}.",
                nameof(LiveKitUrl));
        }

        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new ArgumentException("LiveKitAvatarWorkerOptions.ApiKey is empty: set it to your LiveKit project's key (LIVEKIT_API_KEY); it mints the worker's token.", nameof(ApiKey));
        }

        if (string.IsNullOrWhiteSpace(ApiSecret))
        {
            throw new ArgumentException("LiveKitAvatarWorkerOptions.ApiSecret is empty: set it to your LiveKit project's secret (LIVEKIT_API_SECRET); it signs the worker's token.", nameof(ApiSecret));
        }

        if (RoomServiceUrl is not null && (!RoomServiceUrl.IsAbsoluteUri || RoomServiceUrl.Scheme is not ("http" or "https")))
        {
            throw new ArgumentException("LiveKitAvatarWorkerOptions.RoomServiceUrl must be an absolute http:// or https:// address (or null to derive it from LiveKitUrl).", nameof(RoomServiceUrl));
        }

        Positive(WorkerJoinTimeout, nameof(WorkerJoinTimeout), "the time the worker may take to join (default 20 s)");
        Positive(ClearBufferTimeout, nameof(ClearBufferTimeout), "the bounded wait after an interruption (default 2 s)");
        Positive(WorkerTokenTimeToLive, nameof(WorkerTokenTimeToLive), "the worker token's lifetime (default 1 min)");
        if (WorkerTokenTimeToLive < WorkerJoinTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(WorkerTokenTimeToLive), WorkerTokenTimeToLive,
                $"LiveKitAvatarWorkerOptions.WorkerTokenTimeToLive ({WorkerTokenTimeToLive.TotalSeconds:0.#} s) must be at least WorkerJoinTimeout ({WorkerJoinTimeout.TotalSeconds:0.#} s): the worker joins with that token.");
        }
        Positive(CloseTimeout, nameof(CloseTimeout), "the bound on each close step (default 5 s)");
        if (AudioLead < TimeSpan.FromMilliseconds(20) || AudioLead > TimeSpan.FromSeconds(10))
        {
            throw new ArgumentException($"LiveKitAvatarWorkerOptions.AudioLead is {AudioLead.TotalMilliseconds} ms: it must be 20 ms to 10 s (default 300 ms).", nameof(AudioLead));
        }

        if (SpeechSampleRate is < 8_000 or > 48_000)
        {
            throw new ArgumentException($"LiveKitAvatarWorkerOptions.SpeechSampleRate is {SpeechSampleRate} Hz: use 8000 to 48000 Hz, or null for the pipeline's output rate.", nameof(SpeechSampleRate));
        }
    }

    /// <summary>A log-safe description: the URLs and bounds; the key and secret only as set or not.</summary>
    public override string ToString() =>
        $"LiveKitAvatarWorkerOptions {{ LiveKitUrl = {LiveKitUrl?.GetLeftPart(UriPartial.Path) ?? "none"}, ApiKey = {(string.IsNullOrEmpty(ApiKey) ? "none" : "***")}, " +
        $"ApiSecret = {(string.IsNullOrEmpty(ApiSecret) ? "none" : "***")}, WorkerJoinTimeout = {WorkerJoinTimeout}, WaitForWorkerVideo = {WaitForWorkerVideo}, " +
        $"ClearBufferTimeout = {ClearBufferTimeout}, AudioLead = {AudioLead} }}";

    private static void Positive(TimeSpan value, string name, string what)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"LiveKitAvatarWorkerOptions.{name} is {value}: it must be positive ({what}).", name);
        }
    }
}
