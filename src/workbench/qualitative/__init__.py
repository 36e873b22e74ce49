"""Qualitative analysis: corpus model, REFI-QDA exchange, coding, reliability and findings.

Public contract::

    from workbench.qualitative import read_qdpx, write_qdpx, read_codebook
    corpus = read_qdpx("project.qdpx")   # corpus.documents, .codes, .segments, .cases, .users
    write_qdpx(corpus, "out.qdpx")       # valid against the REFI-QDA Project XSD
"""

from workbench.qualitative.coding import accept_proposals, auto_code, merge_codes, recode, reject_proposals
from workbench.qualitative.corpus import Corpus, segment_texts, validate_corpus
from workbench.qualitative.refi import read_qdc, read_qdpx, write_qdc, write_qdpx
from workbench.qualitative.segments_io import read_codebook, read_segment_table, read_transcript, read_transcripts

__all__ = [
    "Corpus", "accept_proposals", "auto_code", "merge_codes", "read_codebook", "read_qdc", "read_qdpx",
    "read_segment_table", "read_transcript", "read_transcripts", "recode", "reject_proposals",
    "segment_texts", "validate_corpus", "write_qdc", "write_qdpx",
]
