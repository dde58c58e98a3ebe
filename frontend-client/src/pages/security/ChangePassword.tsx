import { useMutation } from '@apollo/client/react';
import { Button } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { describeError } from '../../auth/secondFactor';
import { PasswordField } from '../../components/fields';
import { FormCard } from '../../components/forms';
import { useStepUp } from '../../components/StepUp';
import { usePayloadErrors } from '../../components/usePayloadErrors';
import { ChangePasswordMutation } from '../../graphql/operations';

export function ChangePassword() {
  const [oldPassword, setOldPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const form = usePayloadErrors(['oldPassword', 'newPassword']);
  const [done, setDone] = useState(false);
  const stepUp = useStepUp();
  const [change, { loading }] = useMutation(ChangePasswordMutation, { refetchQueries: ['Sessions'] });

  function submit(event: FormEvent) {
    event.preventDefault();
    setDone(false);
    void form.attempt(async () => {
      const outcome = await stepUp.run(
        async () => (await change({ variables: { oldPassword, newPassword } })).data?.changePassword,
        (result) => result?.errors,
      );
      const payload = outcome.result;
      if (!payload) return;
      form.setErrors(payload.errors.map((e) => (e.code === 'STEP_UP_REQUIRED' ? { ...e, message: describeError(e) } : e)));
      if (payload.ok) {
        setDone(true);
        setOldPassword('');
        setNewPassword('');
      }
    });
  }

  return (
    <FormCard
      title="Change password"
      failTitle="Could not change the password"
      messages={form.messages}
      notice={done && 'Password changed. Every other device was signed out.'}
      onSubmit={submit}
    >
      <PasswordField
        kind="current"
        label="Current password"
        value={oldPassword}
        onChange={setOldPassword}
        error={form.byField.oldPassword}
      />
      <PasswordField
        kind="new"
        label="New password"
        value={newPassword}
        onChange={setNewPassword}
        error={form.byField.newPassword}
      />
      <Button type="submit" loading={loading} disabled={form.wait > 0} w="fit-content">
        Change password
      </Button>
    </FormCard>
  );
}
