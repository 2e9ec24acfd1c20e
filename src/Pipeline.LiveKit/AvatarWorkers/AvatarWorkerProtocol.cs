using System.Globalization;
using System.Text.Json;

namespace Pipeline.LiveKit.AvatarWorkers;

/// <summary>
/// The names of LiveKit's avatar-worker protocol, shared by every provider that uses it (Beyond Presence, Tavus, ...):
/// the agent streams its speech to the worker as a byte stream on <see cref="AudioStreamTopic"/> (one stream per
/// utterance, raw little-endian PCM16, its format in the stream's attributes), interrupts with
/// <see cref="ClearBufferMethod"/>, and the worker reports playback with <see cref="PlaybackStartedMethod"/> and
/// <see cref="PlaybackFinishedMethod"/>. The worker publishes the avatar's video and audio into the room on behalf of
/// the agent named by its token's <see cref="PublishOnBehalfAttribute"/>.
/// </summary>
public static class AvatarWorkerProtocol
{
    /// <summary>Byte-stream topic of the agent's speech; one stream per utterance, closed at its end.</summary>
    public const string AudioStreamTopic = "lk.audio_stream";

    /// <summary>RPC the agent performs on the worker to drop what it has not played yet (an interruption).</summary>
    public const string ClearBufferMethod = "lk.clear_buffer";

    /// <summary>RPC the worker performs on the agent when it starts playing an utterance (payload empty).</summary>
    public const string PlaybackStartedMethod = "lk.playback_started";

    /// <summary>RPC the worker performs on the agent when an utterance ended or was cleared (JSON payload, see <see cref="FormatPlaybackFinished"/>).</summary>
    public const string PlaybackFinishedMethod = "lk.playback_finished";

    /// <summary>Participant attribute (in the worker's token) naming the agent identity the worker publishes for.</summary>
    public const string PublishOnBehalfAttribute = "lk.publish_on_behalf";

    /// <summary>Byte-stream attribute: samples per second of the PCM16 in the stream (decimal text).</summary>
    public const string SampleRateAttribute = "sample_rate";

    /// <summary>Byte-stream attribute: interleaved channels of the PCM16 in the stream (decimal text).</summary>
    public const string ChannelsAttribute = "num_channels";

    /// <summary>The stream attributes announcing PCM16 at <paramref name="sampleRate"/> Hz with <paramref name="channels"/> channels.</summary>
    public static IReadOnlyDictionary<string, string> AudioStreamAttributes(int sampleRate, int channels = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SampleRateAttribute] = sampleRate.ToString(CultureInfo.InvariantCulture),
            [ChannelsAttribute] = channels.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Reads the PCM format of an audio stream from its attributes.</summary>
    /// <returns><see langword="false"/> when an attribute is missing or not a positive integer.</returns>
    public static bool TryReadAudioFormat(IReadOnlyDictionary<string, string>? attributes, out int sampleRate, out int channels)
    {
        sampleRate = 0;
        channels = 0;
        return attributes is not null
            && attributes.TryGetValue(SampleRateAttribute, out string? rate)
            && attributes.TryGetValue(ChannelsAttribute, out string? count)
            && int.TryParse(rate, NumberStyles.None, CultureInfo.InvariantCulture, out sampleRate) && sampleRate > 0
            && int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out channels) && channels > 0;
    }

    /// <summary>The <see cref="PlaybackFinishedMethod"/> payload: <c>{"playback_position": seconds, "interrupted": bool}</c>.</summary>
    /// <param name="playbackPosition">How much of the utterance was played, in seconds.</param>
    /// <param name="interrupted">Whether playback stopped because the buffer was cleared.</param>
    public static string FormatPlaybackFinished(double playbackPosition, bool interrupted)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(playbackPosition);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("playback_position", playbackPosition);
            json.WriteBoolean("interrupted", interrupted);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Parses a <see cref="PlaybackFinishedMethod"/> payload.</summary>
    /// <returns><see langword="false"/> when the payload is not the JSON object the protocol defines.</returns>
    public static bool TryParsePlaybackFinished(string? payload, out double playbackPosition, out bool interrupted)
    {
        playbackPosition = 0;
        interrupted = false;
        if (string.IsNullOrWhiteSpace(payload))
        {
            return false;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(payload);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("playback_position", out JsonElement position) || position.ValueKind != JsonValueKind.Number
                || !root.TryGetProperty("interrupted", out JsonElement flag) || flag.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return false;
            }

            playbackPosition = position.GetDouble();
            interrupted = flag.GetBoolean();
            return playbackPosition >= 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
