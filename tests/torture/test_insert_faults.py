"""Delivery that fails half-way leaves nothing behind.

Database.insert() writes the message to FOLDER/tmp, renames it into FOLDER/new and indexes
it.  The fault-injection shim (faults.c, through LD_PRELOAD) makes the rename fail, or makes
indexing fail after it changed the index; afterwards there must be no file in tmp/, new/ or
cur/, no index entry, and no folder (nor the index's record of it) that the call created.
Checked in the child before it closes the database and by the notmuch CLI afterwards.
"""

import os
import re

from harness import base_env, run_py

MESSAGE = ('From: Faulty <faulty@example.org>\nTo: someone@example.org\n'
           'Subject: delivered into a fault\nMessage-ID: <%s>\n'
           'Date: Mon, 01 Jan 2024 00:00:00 +0000\n\nThis delivery fails.\n')

INSERT = '''
root, folder, create, message_id = sys.argv[1], sys.argv[2], sys.argv[3] == '1', sys.argv[4]
db = open_db(root, RW)
data = open(sys.argv[5], 'rb').read()
try:
    db.insert(GLib.Bytes.new(data), folder, ['delivered'], [], create, None)
    outcome = 'delivered'
except GLib.Error as error:
    outcome = error_name(error)
records = {path: db.get_directory(path) is not None
           for path in (folder, folder + '/new', folder + '/cur', folder + '/tmp')}
found = db.find_message(message_id)
emit(outcome=outcome, records=records, found=found is not None,
     files=found.get_filenames() if found is not None else [],
     tags=found.get_tags() if found is not None else [])
db.close()
'''


def tree(root):
    """Every file and directory below the mail root, the index excepted."""
    out = set()
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [d for d in subdirectories if d != '.notmuch']
        for name in subdirectories + files:
            out.add(os.path.relpath(os.path.join(directory, name), root))
    return out


def deliver_into_fault(corpus, tmp_path, folder, create, message_id, **fault):
    message = tmp_path / 'message'
    message.write_text(MESSAGE % message_id)
    env = base_env(**fault)
    env['LD_PRELOAD'] = ' '.join(filter(None, [env.get('LD_PRELOAD'), fault['faults_lib']]))
    del env['faults_lib']
    return run_py(INSERT, corpus.root, folder, '1' if create else '0', message_id, message,
                  env=env)


def test_failed_rename_into_a_new_folder(small_copy, faults_lib, tmp_path):
    before = tree(small_copy.root)
    count = small_copy.notmuch('count', '*')
    child = deliver_into_fault(small_copy, tmp_path, 'faulty', True, 'rename-new@example.org',
                               NM_FAULT_RENAME_FROM='faulty/tmp/', faults_lib=faults_lib)
    assert 'nm-fault: rename of' in child.err, child.report()
    child.ok()
    assert child['outcome'] == 'FILE_ERROR'
    assert child['found'] is False
    assert not any(child['records'].values()), child.values
    assert not os.path.exists(os.path.join(small_copy.root, 'faulty'))
    assert tree(small_copy.root) == before
    assert small_copy.notmuch('count', '*') == count


def test_failed_rename_into_an_existing_folder(small_copy, faults_lib, tmp_path):
    before = tree(small_copy.root)
    child = deliver_into_fault(small_copy, tmp_path, 'INBOX', False,
                               'rename-inbox@example.org', NM_FAULT_RENAME_FROM='INBOX/tmp/',
                               faults_lib=faults_lib)
    assert 'nm-fault: rename of' in child.err, child.report()
    child.ok()
    assert child['outcome'] == 'FILE_ERROR'
    assert child['found'] is False
    assert tree(small_copy.root) == before
    assert os.listdir(os.path.join(small_copy.root, 'INBOX', 'tmp')) == []


def test_failed_index_into_a_new_folder(small_copy, faults_lib, tmp_path):
    """The file was indexed (and the folder recorded) before the failure: all undone."""
    before = tree(small_copy.root)
    count = small_copy.notmuch('count', '*')
    child = deliver_into_fault(small_copy, tmp_path, 'faulty2', True, 'index-new@example.org',
                               NM_FAULT_INDEX_FILE='faulty2/new/', faults_lib=faults_lib)
    assert 'nm-fault: indexing' in child.err, child.report()
    child.ok()
    assert child['outcome'] == 'XAPIAN_EXCEPTION'
    assert child['found'] is False
    assert not any(child['records'].values()), child.values
    assert tree(small_copy.root) == before
    assert small_copy.notmuch('count', '*') == count
    assert small_copy.notmuch('count', 'id:index-new@example.org').strip() == '0'


def test_failed_index_of_a_duplicate(small_copy, faults_lib, tmp_path):
    """A copy of an indexed message: the message keeps exactly its files and tags."""
    message_id = min(i for i in small_copy.info['message_ids']
                     if re.fullmatch(r'[\w.@-]{1,80}', i))
    files = small_copy.notmuch('search', '--output=files', 'id:' + message_id)
    tags = small_copy.notmuch('search', '--output=tags', 'id:' + message_id)
    before = tree(small_copy.root)
    child = deliver_into_fault(small_copy, tmp_path, 'INBOX', False, message_id,
                               NM_FAULT_INDEX_FILE='INBOX/new/', faults_lib=faults_lib)
    assert 'nm-fault: indexing' in child.err, child.report()
    child.ok()
    assert child['outcome'] == 'XAPIAN_EXCEPTION'
    assert tree(small_copy.root) == before
    assert small_copy.notmuch('search', '--output=files', 'id:' + message_id) == files
    assert small_copy.notmuch('search', '--output=tags', 'id:' + message_id) == tags
