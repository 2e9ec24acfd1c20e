using Pipeline.Core.Audio;
using Pipeline.Core.Frames;

namespace Pipeline.VoiceBot.Tests.Support;

/// <summary>
/// When the (simulated, real-time) microphone heard a given point of the audio stream: a 20 ms chunk is delivered when
/// its last sample was heard, so a sample <c>d</c> before the chunk's end was heard <c>d</c> before the delivery.
/// </summary>
internal sealed class MicrophoneClock
{
    private readonly List<(TimeSpan StreamEnd, TimeSpan InterjectionEnd, DateTimeOffset At)> _deliveries = [];
    private readonly TimeSpan _streamStart;
    private TimeSpan _interjection;

    /// <summary>Starts counting after <paramref name="streamSoFar"/> of audio already delivered to the pipeline.</summary>
    public MicrophoneClock(TimeSpan streamSoFar) => _streamStart = streamSoFar;

    public void Delivered(InputAudioRawFrame chunk, DateTimeOffset at)
    {
        _interjection += PcmFormat.DurationOf(chunk.Audio.Length, chunk.SampleRate);
        _deliveries.Add((_streamStart + _interjection, _interjection, at));
    }

    /// <summary>When the sample at <paramref name="position"/> (in the interjection, or in the VAD's whole stream) was heard.</summary>
    public DateTimeOffset TimeOf(TimeSpan position, bool inInterjection)
    {
        foreach ((TimeSpan streamEnd, TimeSpan interjectionEnd, DateTimeOffset at) in _deliveries)
        {
            TimeSpan end = inInterjection ? interjectionEnd : streamEnd;
            if (end > position)
            {
                return at - (end - position);
            }
        }

        throw new InvalidOperationException($"Position {position} was never delivered.");
    }
}
