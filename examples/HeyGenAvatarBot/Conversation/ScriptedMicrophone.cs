using HeyGenAvatarBot.Progress;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;

namespace HeyGenAvatarBot.Conversation;

/// <summary>
/// The scripted mode's microphone: plays the user's turns into the pipeline as an input transport would, in real time
/// (a 20 ms <see cref="InputAudioRawFrame"/> every 20 ms), with silence between them, and waits for the avatar to finish
/// each reply before the next turn, as a person would.
/// </summary>
internal sealed class ScriptedMicrophone(IReadOnlyList<ScriptedTurn> turns, TurnTracker tracker, TimeProvider clock)
{
    /// <summary>Input audio rate in Hz: what the VAD and the recognizer take.</summary>
    public const int SampleRate = 16_000;

    private static readonly TimeSpan Chunk = TimeSpan.FromMilliseconds(20);

    /// <summary>Silence before the first turn and after each reply, as a person pauses before speaking.</summary>
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(600);

    /// <summary>How long to wait for a reply before going on: the recognizer may have heard nothing.</summary>
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(25);

    /// <summary>Plays every turn, then a last pause; returns when the last reply was spoken (or timed out).</summary>
    public async Task PlayAsync(PipelineTask task, CancellationToken cancellationToken)
    {
        using var ticks = new PeriodicTimer(Chunk, clock);
        byte[] silence = new byte[PcmFormat.BytesFor(Chunk, SampleRate)];
        foreach (ScriptedTurn turn in turns)
        {
            if (turn.SampleRate != SampleRate)
            {
                throw new InvalidDataException($"Turn {turn.Number}'s recording is {turn.SampleRate} Hz; the scripted microphone plays {SampleRate} Hz.");
            }

            await SendSilenceAsync(task, ticks, silence, Pause, cancellationToken);
            tracker.Say($"user turn {turn.Number} plays: \"{turn.Said}\"");
            int size = silence.Length;
            for (int offset = 0; offset < turn.Pcm.Length; offset += size)
            {
                byte[] chunk = new byte[size]; // a short last chunk is padded with silence, as a microphone delivers whole frames
                turn.Pcm.AsSpan(offset, Math.Min(size, turn.Pcm.Length - offset)).CopyTo(chunk);
                await ticks.WaitForNextTickAsync(cancellationToken);
                await task.QueueFrameAsync(new InputAudioRawFrame(chunk, SampleRate, 1), cancellationToken);
            }

            // The microphone keeps delivering silence while the bot thinks and speaks.
            Task replied = tracker.WhenRepliesFinished(turn.Number);
            DateTimeOffset giveUp = clock.GetUtcNow() + ReplyTimeout;
            while (!replied.IsCompleted && clock.GetUtcNow() < giveUp)
            {
                await ticks.WaitForNextTickAsync(cancellationToken);
                await task.QueueFrameAsync(new InputAudioRawFrame(silence, SampleRate, 1), cancellationToken);
            }

            if (!replied.IsCompleted)
            {
                tracker.Say($"no reply to turn {turn.Number} within {ReplyTimeout.TotalSeconds:F0} s; going on");
            }
        }

        await SendSilenceAsync(task, ticks, silence, Pause, cancellationToken);
    }

    private static async Task SendSilenceAsync(PipelineTask task, PeriodicTimer ticks, byte[] silence, TimeSpan length, CancellationToken cancellationToken)
    {
        for (TimeSpan sent = TimeSpan.Zero; sent < length; sent += Chunk)
        {
            await ticks.WaitForNextTickAsync(cancellationToken);
            await task.QueueFrameAsync(new InputAudioRawFrame(silence, SampleRate, 1), cancellationToken);
        }
    }
}
